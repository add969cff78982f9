// Ecosystem words that squatters add to, drop from or swap in a popular name: `typescriptjs`,
// `python-mongo` for `pymongo`, `zustand.js`. A name is split into a stem and at most one affix.
import type { Ecosystem } from '../ecosystem.js';

export interface Affix {
  /** The affix as written, separator included: `python-`, `.js`, `py`. */
  text: string;
  /** The word without its separator: `python`, `js`, `py`. */
  word: string;
  position: 'prefix' | 'suffix';
  /**
   * A word that only names the language or runtime (`js`, `node`, `py`, `python`): people drop it
   * when they guess a name (`pip install yaml` for `pyyaml`) and swap it for its synonyms. The other
   * words (`-cli`, `-core`, `-utils`) name a different package of the same project, so they only count
   * when added to a popular name.
   */
  language: boolean;
}

export interface AffixSplit {
  stem: string;
  affix: Affix;
}

interface AffixWord {
  word: string;
  language: boolean;
  /**
   * Where the word goes, and how it is attached: `separated` only with a separator, `joined` with
   * one or none (`pymongo`, `nodemonjs`), `glued` only with none (`nodeexpress`).
   */
  prefix: Attachment;
  suffix: Attachment;
}

type Attachment = 'no' | 'separated' | 'joined' | 'glued';

/** Words that name another package of the same project or a wrapper of it; they count only when added. */
const COMPANION_WORDS = ['cli', 'lib', 'core', 'utils', 'util', 'sdk', 'api', 'client', 'dev', 'tools', 'proxy'];

function companions(): AffixWord[] {
  return COMPANION_WORDS.map((word) => ({ word, language: false, prefix: 'no', suffix: 'separated' }));
}

const NPM_WORDS: AffixWord[] = [
  // No joined `js` prefix: it would split every `json…` name.
  { word: 'js', language: true, prefix: 'separated', suffix: 'joined' },
  { word: 'node', language: true, prefix: 'separated', suffix: 'separated' },
  // Glued `node` is not a language word: as one, `nodemailer` would have a core `mailer`.
  { word: 'node', language: false, prefix: 'glued', suffix: 'glued' },
  { word: 'npm', language: false, prefix: 'separated', suffix: 'separated' },
  ...companions(),
];

const PYPI_WORDS: AffixWord[] = [
  { word: 'python', language: true, prefix: 'joined', suffix: 'joined' },
  { word: 'python3', language: true, prefix: 'separated', suffix: 'no' },
  // `py` joined at the end is no language word: `numpy`, `scipy`, `sympy` would get cores.
  { word: 'py', language: true, prefix: 'joined', suffix: 'separated' },
  // Glued `py` at the end only when added to a popular name (`requestspy`): never a core.
  { word: 'py', language: false, prefix: 'no', suffix: 'glued' },
  ...companions(),
];

/** Canonical names only hold these separators: PEP 503 folds every one into '-'. */
const SEPARATORS: Record<Ecosystem, string[]> = { npm: ['-', '.', '_'], pypi: ['-'] };

function expand(ecosystem: Ecosystem, words: AffixWord[]): Affix[] {
  const affixes: Affix[] = [];
  for (const { word, language, prefix, suffix } of words) {
    for (const separator of [...SEPARATORS[ecosystem], '']) {
      if (attaches(prefix, separator)) affixes.push({ text: word + separator, word, position: 'prefix', language });
      if (attaches(suffix, separator)) affixes.push({ text: separator + word, word, position: 'suffix', language });
    }
  }
  return affixes;
}

function attaches(attachment: Attachment, separator: string): boolean {
  if (attachment === 'joined') return true;
  if (attachment === 'glued') return separator === '';
  return attachment === 'separated' && separator !== '';
}

const AFFIXES: Record<Ecosystem, Affix[]> = {
  npm: expand('npm', NPM_WORDS),
  pypi: expand('pypi', PYPI_WORDS),
};

const LANGUAGE_AFFIXES: Record<Ecosystem, Affix[]> = {
  npm: AFFIXES.npm.filter((affix) => affix.language),
  pypi: AFFIXES.pypi.filter((affix) => affix.language),
};

/**
 * Every way of removing one affix from `name` that leaves a stem of at least `minStem` characters
 * (`language`: only the language words' affixes, in the same order).
 */
export function splitAffixes(ecosystem: Ecosystem, name: string, minStem: number, which: 'all' | 'language' = 'all'): AffixSplit[] {
  const splits: AffixSplit[] = [];
  const affixes = (which === 'language' ? LANGUAGE_AFFIXES : AFFIXES)[ecosystem];
  for (let i = 0; i < affixes.length; i++) {
    const affix = affixes[i]!;
    if (name.length - affix.text.length < minStem) continue;
    if (affix.position === 'prefix' ? name.startsWith(affix.text) : name.endsWith(affix.text)) {
      const stem = affix.position === 'prefix' ? name.slice(affix.text.length) : name.slice(0, -affix.text.length);
      // A stem that starts or ends with a separator means the affix was cut mid-word (`py` of `py-x`).
      if (/^[-._]|[-._]$/.test(stem)) continue;
      splits.push({ stem, affix });
    }
  }
  return splits;
}

export function describeAffix(affix: Affix): string {
  return `${affix.position} '${affix.text}'`;
}
