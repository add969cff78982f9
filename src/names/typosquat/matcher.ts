// createTyposquatMatcher: which popular name, if any, a package name imitates.
import type { Ecosystem } from '../ecosystem.js';
import { parseNpmName } from '../npm.js';
import { PopularIndex, type PopularEntry } from './popular-index.js';
import {
  affixes,
  affixWithTypo,
  type Candidate,
  caseRule,
  characterEdits,
  foreignScope,
  scopeTypo,
  separators,
  type Sink,
  versionSuffix,
  wordOrder,
} from './rules.js';
import type { PopularPackage, TyposquatMatch, TyposquatMatcher, TyposquatOptions, TyposquatRule, TyposquatTier } from './types.js';

/** When one target is reached by several rules, the most specific name wins. */
const RULE_PREFERENCE: readonly TyposquatRule[] = [
  'case',
  'scope-typo',
  'scope-dropped',
  'separator',
  'homoglyph',
  'repeated-char',
  'swapped-chars',
  'version-suffix',
  'omitted-char',
  'substituted-char',
  'inserted-char',
  'leading-char',
  'word-order',
  'affix',
  'foreign-scope',
];

/**
 * Orders matches best first: a typo before a resemblance (when a name resembles both a legacy
 * unscoped package and its scoped successor, the edit the attacker made is the closer one), then
 * the more downloaded target, then the more specific rule.
 */
function compareMatches(a: TyposquatMatch, b: TyposquatMatch): number {
  if (a.tier !== b.tier) return a.tier === 'typo' ? -1 : 1;
  if (a.targetDownloads !== b.targetDownloads) return b.targetDownloads - a.targetDownloads;
  return RULE_PREFERENCE.indexOf(a.rule) - RULE_PREFERENCE.indexOf(b.rule);
}

const DEFAULT_MAX_WORD_ORDER_TOKENS = 6;

export function createTyposquatMatcher(
  ecosystem: Ecosystem,
  popular: Iterable<PopularPackage>,
  options: TyposquatOptions = {},
): TyposquatMatcher {
  const index = new PopularIndex(ecosystem, popular, options.exclude ?? [], options.maxWordOrderTokens ?? DEFAULT_MAX_WORD_ORDER_TOKENS);

  let knownScopes: Set<string> | undefined;
  const knownScopeSet = () => (knownScopes ??= new Set([...(options.knownScopes ?? [])].map((known) => known.toLowerCase())));
  const isKnownScope = (scope: string) => knownScopeSet().has(scope);

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

  /** Runs every rule; `sink` sees each resemblance found (a target may come more than once). */
  const probe = (name: string, sink: Sink): void => {
    if (isPopular(name)) return;
    const candidate = toCandidate(name);
    if (candidate.scope !== null) {
      // A scope that holds a popular package belongs to its owner: siblings there are never squats;
      // nor are the packages of another established organisation's scope.
      if (!index.rules.scopeIds.has(candidate.scope) && !isKnownScope(candidate.scope)) {
        scopeTypo(index, candidate, sink);
        if (ecosystem === 'npm') foreignScope(index, candidate, sink);
      }
      return;
    }
    if (ecosystem === 'npm') caseRule(index, candidate, sink);
    characterEdits(index, candidate, sink);
    separators(index, candidate, sink);
    wordOrder(index, candidate, sink);
    versionSuffix(index, candidate, sink);
    affixes(index, candidate, sink);
    affixWithTypo(index, candidate, sink);
  };

  const toMatch = (entry: PopularEntry, rule: TyposquatRule, detail: string, tier: TyposquatTier): TyposquatMatch => ({
    target: entry.name,
    targetDownloads: entry.downloads,
    rule,
    detail,
    tier,
  });

  const match = (name: string): TyposquatMatch | null => {
    let best: TyposquatMatch | null = null;
    probe(name, (entry, rule, detail, tier) => {
      const found = toMatch(entry, rule, detail, tier);
      if (best === null || compareMatches(found, best) < 0) best = found;
    });
    return best;
  };

  const matchAll = (name: string): TyposquatMatch[] => {
    const byTarget = new Map<string, TyposquatMatch>();
    probe(name, (entry, rule, detail, tier) => {
      const found = toMatch(entry, rule, detail, tier);
      const known = byTarget.get(entry.canon);
      if (known === undefined || compareMatches(found, known) < 0) byTarget.set(entry.canon, found);
    });
    return [...byTarget.values()].sort(compareMatches);
  };

  // Reading index.rules builds the rule indexes; the known scopes are read here too.
  const buildIndexes = () => {
    knownScopeSet();
    return index.rules;
  };
  return { match, matchAll, isPopular, size: index.entries.length, buildIndexes };
}
