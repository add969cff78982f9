// createTyposquatMatcher: which popular name, if any, a package name imitates.
import type { Ecosystem } from '../index.js';
import { parseNpmName } from '../npm.js';
import { PopularIndex, type PopularEntry } from './popular-index.js';
import {
  affixes,
  affixWithTypo,
  type Candidate,
  caseRule,
  characterEdits,
  scopeTypo,
  separators,
  type Sink,
  versionSuffix,
  wordOrder,
} from './rules.js';
import type { PopularPackage, TyposquatMatch, TyposquatMatcher, TyposquatOptions, TyposquatRule } from './types.js';

/** When one target is reached by several rules, the most specific name wins. */
const RULE_PREFERENCE: readonly TyposquatRule[] = [
  'case', 'scope-typo', 'scope-dropped', 'separator', 'homoglyph', 'repeated-char', 'swapped-chars',
  'version-suffix', 'omitted-char', 'substituted-char', 'inserted-char', 'word-order', 'affix',
];

const DEFAULT_MAX_WORD_ORDER_TOKENS = 6;

export function createTyposquatMatcher(
  ecosystem: Ecosystem,
  popular: Iterable<PopularPackage>,
  options: TyposquatOptions = {},
): TyposquatMatcher {
  const index = new PopularIndex(
    ecosystem,
    popular,
    options.exclude ?? [],
    options.maxWordOrderTokens ?? DEFAULT_MAX_WORD_ORDER_TOKENS,
  );

  const knownScopes = new Set([...(options.knownScopes ?? [])].map((scope) => scope.toLowerCase()));

  const toCandidate = (name: string): Candidate => {
    const canon = index.canonical(name);
    if (ecosystem === 'pypi') return { name, canon, scope: null, bare: canon };
    const { scope, bare } = parseNpmName(canon);
    return { name, canon, scope, bare };
  };

  const isPopular = (name: string): boolean => {
    const entry = index.byCanon.get(index.canonical(name));
    if (!entry) return false;
    // npm stores legacy mixed-case names as spelled: `jsonstream` is another package than `JSONStream`.
    return ecosystem === 'pypi' || entry.name === entry.canon || index.spellings.has(name);
  };

  const match = (name: string): TyposquatMatch | null => {
    if (isPopular(name)) return null;
    const candidate = toCandidate(name);
    let best: TyposquatMatch | null = null;
    let bestPreference = Infinity;
    const sink: Sink = (entry: PopularEntry, rule: TyposquatRule, detail: string) => {
      const preference = RULE_PREFERENCE.indexOf(rule);
      if (best && (entry.downloads < best.targetDownloads ||
        (entry.downloads === best.targetDownloads && preference >= bestPreference))) return;
      best = { target: entry.name, targetDownloads: entry.downloads, rule, detail };
      bestPreference = preference;
    };
    if (candidate.scope !== null) {
      // A scope that holds a popular package belongs to its owner: siblings there are never squats;
      // nor are the packages of another established organisation's scope.
      if (!index.scopeIds.has(candidate.scope) && !knownScopes.has(candidate.scope)) scopeTypo(index, candidate, sink);
      return best;
    }
    if (ecosystem === 'npm') caseRule(index, candidate, sink);
    characterEdits(index, candidate, sink);
    separators(index, candidate, sink);
    wordOrder(index, candidate, sink);
    versionSuffix(index, candidate, sink);
    affixes(index, candidate, sink);
    affixWithTypo(index, candidate, sink);
    return best;
  };

  return { match, isPopular, size: index.entries.length };
}
