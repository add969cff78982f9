// The popular names, indexed every way the rules look them up. Built once; every lookup is a map probe.
import type { Ecosystem } from '../ecosystem.js';
import { canonicalNpmName, parseNpmName } from '../npm.js';
import { normalizePypiName } from '../pypi.js';
import { type Affix, splitAffixes } from './affixes.js';
import { splitWords } from './charmaps.js';
import { DeletionIndex } from './deletion-index.js';
import { MIN_STEM_LENGTH } from './gates.js';
import type { PopularPackage } from './types.js';

export interface PopularEntry {
  /** As spelled in the popular list. */
  name: string;
  /** The comparison form: PEP 503 for PyPI, lowercase for npm. */
  canon: string;
  downloads: number;
  /** npm scope (lowercase, without '@'), or null. */
  scope: string | null;
  /** The canonical name without its scope. */
  bare: string;
}

/** A popular name with one affix removed: `pymongo` → core `mongo`, affix `py`. */
export interface PopularCore {
  entry: PopularEntry;
  core: string;
  affix: Affix;
}

/** Shorter words (`is`, `js`, `ms`) are too common to say anything. */
const MIN_WORD_LENGTH = 3;

/** The popular names: what tells whether a name is itself popular, and the indexes the rules probe. */
export class PopularIndex {
  readonly entries: PopularEntry[] = [];
  /** Canonical name → the most downloaded popular spelling of it. */
  readonly byCanon = new Map<string, PopularEntry>();
  /** npm: every popular spelling as given (legacy names such as `JSONStream` are case-sensitive). */
  readonly spellings = new Set<string>();
  #rules: RuleIndexes | undefined;

  constructor(
    readonly ecosystem: Ecosystem,
    popular: Iterable<PopularPackage>,
    exclude: Iterable<string>,
    readonly maxWordOrderTokens: number,
  ) {
    const excluded = new Set([...exclude].map((name) => this.canonical(name)));
    for (const { name, downloads } of popular) {
      const canon = this.canonical(name);
      if (excluded.has(canon)) continue;
      this.spellings.add(name);
      const known = this.byCanon.get(canon);
      if (known && known.downloads >= downloads) continue;
      const parsed = ecosystem === 'npm' ? parseNpmName(canon) : null;
      const entry: PopularEntry = { name, canon, downloads, scope: parsed?.scope ?? null, bare: parsed?.bare ?? canon };
      if (known) Object.assign(known, entry);
      else {
        this.byCanon.set(canon, entry);
        this.entries.push(entry);
      }
    }
  }

  canonical(name: string): string {
    return this.ecosystem === 'pypi' ? normalizePypiName(name) : canonicalNpmName(name);
  }

  /**
   * The indexes the rules probe, built when they are first asked for: most of the matcher's build
   * time, which a process that only meets popular names (`depfence check react`) never spends.
   */
  get rules(): RuleIndexes {
    return (this.#rules ??= new RuleIndexes(this.ecosystem, this.entries, this.maxWordOrderTokens));
  }
}

/** The popular names indexed every way the rules look them up (ids are positions in `entries`). */
export class RuleIndexes {
  /** Unscoped popular names, for single-character edits. */
  readonly unscoped = new DeletionIndex();
  /** npm scoped popular names flattened (`@types/node` → `typesnode`), for one-edit lookups. */
  readonly flattenedScoped = new DeletionIndex();
  /** Unscoped popular names that end in a number (`boto3`), by the rest of the name (`boto`). */
  readonly numberedByStem = new Map<string, PopularEntry[]>();
  /** The words (3+ characters) of every popular name: `fast-uri` gives `fast` and `uri`. */
  readonly words = new Set<string>();
  /** Names with their separators removed (npm scoped names flattened: `@types/node` → `typesnode`). */
  readonly skeletons = new Map<string, PopularEntry[]>();
  /** The sorted words of names with two or more words (scope words first for npm scoped names). */
  readonly wordSets = new Map<string, PopularEntry[]>();
  /** Unscoped popular names with one language affix removed (`pymongo` → `mongo`), by core. */
  readonly cores: PopularCore[] = [];
  readonly coresByStem = new Map<string, PopularCore[]>();
  readonly coreEdits = new DeletionIndex();
  /** npm scopes that hold a popular package (lowercase, without '@'). */
  readonly scopes: string[] = [];
  readonly scopeIds = new Map<string, number>();
  readonly scopeEdits = new DeletionIndex();

  constructor(
    readonly ecosystem: Ecosystem,
    entries: readonly PopularEntry[],
    readonly maxWordOrderTokens: number,
  ) {
    for (let id = 0; id < entries.length; id++) this.indexEntry(entries[id]!, id);
    // Built now, so the first name looked up does not wait for the tables.
    for (const index of [this.unscoped, this.flattenedScoped, this.coreEdits, this.scopeEdits]) index.prepare();
  }

  private indexEntry(entry: PopularEntry, id: number): void {
    const words = entry.scope === null ? splitWords(entry.bare) : splitWords(entry.scope).concat(splitWords(entry.bare));
    for (let i = 0; i < words.length; i++) if (words[i]!.length >= MIN_WORD_LENGTH) this.words.add(words[i]!);
    const skeleton = words.join('');
    push(this.skeletons, skeleton, entry);
    if (words.length >= 2 && words.length <= this.maxWordOrderTokens) push(this.wordSets, wordSetKey(words), entry);
    if (entry.scope !== null) {
      this.flattenedScoped.add(skeleton, id);
      if (!this.scopeIds.has(entry.scope)) {
        this.scopeIds.set(entry.scope, this.scopes.length);
        this.scopeEdits.add(entry.scope, this.scopes.length);
        this.scopes.push(entry.scope);
      }
      return;
    }
    this.unscoped.add(entry.canon, id);
    const numbered = splitTrailingNumber(entry.canon);
    if (numbered) push(this.numberedByStem, numbered.stem, entry);
    for (const { stem, affix } of splitAffixes(this.ecosystem, entry.canon, MIN_STEM_LENGTH, 'language')) {
      const core: PopularCore = { entry, core: stem, affix };
      this.coreEdits.add(stem, this.cores.length);
      this.cores.push(core);
      const list = this.coresByStem.get(stem);
      if (list) list.push(core);
      else this.coresByStem.set(stem, [core]);
    }
  }
}

/** `boto3` → `boto` and `3`; null for a name without a trailing number or with a stem shorter than MIN_STEM_LENGTH. */
export function splitTrailingNumber(name: string): { stem: string; number: string } | null {
  // Most names do not end in a digit; the regex runs only on those that do.
  const last = name.charCodeAt(name.length - 1);
  if (!(last >= 0x30 && last <= 0x39)) return null;
  const parts = /^(.*\D)(\d+)$/.exec(name);
  if (!parts || parts[1]!.replace(/[-._]+$/, '').length < MIN_STEM_LENGTH) return null;
  return { stem: parts[1]!, number: parts[2]! };
}

export function wordSetKey(words: string[]): string {
  // Two words (most names that have a word set) are put in order without copying and sorting.
  if (words.length === 2) return words[0]! <= words[1]! ? `${words[0]} ${words[1]}` : `${words[1]} ${words[0]}`;
  return [...words].sort().join(' ');
}

function push(map: Map<string, PopularEntry[]>, key: string, entry: PopularEntry): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}
