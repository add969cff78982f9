// The typo rules. Each one un-does one kind of typo on the candidate and probes the popular index;
// none scans the popular names. Every rule offers what it finds to a sink that keeps the best match.
import { describeAffix, splitAffixes } from './affixes.js';
import { LOOKALIKE_SEQUENCES, splitWords, stripSeparators } from './charmaps.js';
import type { EditKind } from './deletion-index.js';
import { describeEdit } from './edits.js';
import {
  MIN_COMBINED_STEM_LENGTH,
  MIN_EDIT_LENGTH,
  MIN_STEM_LENGTH,
  MIN_WORD_ORDER_LENGTH,
  SHORT_NAME_MAX,
  editCounts,
  editTier,
  ruleTier,
  strengthCounts,
} from './gates.js';
import { type PopularEntry, type PopularIndex, splitTrailingNumber, wordSetKey } from './popular-index.js';
import type { TyposquatRule, TyposquatTier } from './types.js';

export interface Candidate {
  /** As given. */
  name: string;
  canon: string;
  scope: string | null;
  bare: string;
}

export type Sink = (entry: PopularEntry, rule: TyposquatRule, detail: string, tier: TyposquatTier) => void;

/** A sink that takes each rule's own tier (ruleTier). */
function byRule(sink: Sink): (entry: PopularEntry, rule: TyposquatRule, detail: string) => void {
  return (entry, rule, detail) => sink(entry, rule, detail, ruleTier(rule));
}

/** One trailing digit, optionally after a separator and a 'v': `react2`, `react-2`, `react-v2`. */
const VERSION_SUFFIX = /^(.*?)([-._]?v?)(\d)$/;

/** npm: the lowercase (or otherwise re-cased) spelling of a legacy mixed-case popular name. */
export function caseRule(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const entry = index.byCanon.get(candidate.canon);
  if (!entry || entry.name === candidate.name) return;
  const detail = candidate.name === candidate.canon ? 'lowercase spelling' : 'different capitalisation';
  sink(entry, 'case', `${detail} of '${entry.name}'`, 'typo');
}

/**
 * OSA distance 1 to an unscoped popular name, plus the multi-character look-alikes (`rn` for `m`);
 * for npm also one edit from a scoped popular name flattened (`typesnde` → `@types/node`).
 */
export function characterEdits(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const query = candidate.canon;
  index.rules.unscoped.edits(query, (id, kind, position) => {
    const entry = index.entries[id]!;
    const edit = describeEdit(query, entry.canon, kind, position);
    const tier = editTier(edit, Math.min(query.length, entry.canon.length));
    if (!tier) return;
    const swapped = tier === 'typo' ? swappedWord(index, query, entry.canon) : null;
    if (swapped) sink(entry, edit.rule, `${edit.detail}: '${swapped}' is a word of other popular names`, 'resemblance');
    else sink(entry, edit.rule, edit.detail, tier);
  });
  forEachLookalikeVariant(query, (variant, detail) => {
    index.rules.unscoped.exact(variant, (id) => {
      const entry = index.entries[id]!;
      if (strengthCounts('likely', Math.min(query.length, entry.canon.length))) sink(entry, 'homoglyph', detail, 'typo');
    });
  });
  const skeleton = stripSeparators(query);
  index.rules.flattenedScoped.edits(skeleton, (id, kind, position) => {
    const entry = index.entries[id]!;
    const flattened = stripSeparators(`${entry.scope}${entry.bare}`);
    const edit = describeEdit(skeleton, flattened, kind, position);
    if (editCounts(edit, Math.min(skeleton.length, flattened.length)) && edit.strength !== 'loose') {
      sink(entry, 'scope-dropped', `'${entry.name}' flattened, with ${edit.detail}`, 'resemblance');
    }
  });
}

/**
 * The candidate's word where it differs from the target's, when that word is one the popular names
 * use themselves (`is-uri` / `is-url`, `colour` / `color`): one word for another is naming, not a
 * slip. Null when the names differ otherwise, the word is nobody's, or it is the other's plural.
 */
function swappedWord(index: PopularIndex, candidate: string, target: string): string | null {
  const mine = splitWords(candidate);
  const theirs = splitWords(target);
  if (mine.length !== theirs.length) return null;
  const at = mine.findIndex((word, i) => word !== theirs[i]);
  if (at === -1 || mine.slice(at + 1).some((word, i) => word !== theirs[at + 1 + i])) return null;
  const [word, meant] = [mine[at]!, theirs[at]!];
  // The plural for the singular, or the reverse, is a squat class of its own (`require-port`).
  if (word === `${meant}s` || meant === `${word}s`) return null;
  return index.rules.words.has(word) ? word : null;
}

/** Separators added, dropped or changed; for npm also a scoped name flattened (`types-node`). */
export function separators(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const skeleton = stripSeparators(candidate.canon);
  if (skeleton.length < MIN_EDIT_LENGTH) return;
  for (const entry of index.rules.skeletons.get(skeleton) ?? []) {
    if (entry.canon === candidate.canon) continue;
    if (entry.scope !== null) sink(entry, 'scope-dropped', `'${entry.name}' with its scope flattened into the name`, 'resemblance');
    else sink(entry, 'separator', separatorDetail(candidate.canon, entry.canon), 'typo');
  }
}

function separatorDetail(candidate: string, target: string): string {
  const used = candidate.replace(/[^-._]/g, '');
  const meant = target.replace(/[^-._]/g, '');
  if (used === '') return `dropped '${[...new Set(meant)].join("', '")}'`;
  if (meant === '') return `added '${[...new Set(used)].join("', '")}'`;
  return `separators '${used}' instead of '${meant}'`;
}

/**
 * The words of a popular name in another order (`nmap-python`); for npm also a scope moved behind
 * the name (`node-types` for `@types/node`).
 */
export function wordOrder(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  if (candidate.canon.length < MIN_WORD_ORDER_LENGTH) return;
  const words = splitWords(candidate.canon);
  if (words.length < 2 || words.length > index.maxWordOrderTokens) return;
  const order = words.join(' ');
  for (const entry of index.rules.wordSets.get(wordSetKey(words)) ?? []) {
    if (entry.scope === null) {
      if (splitWords(entry.bare).join(' ') !== order) sink(entry, 'word-order', 'the same words in another order', 'resemblance');
    } else if ([...splitWords(entry.bare), ...splitWords(entry.scope)].join(' ') === order) {
      sink(entry, 'scope-dropped', `'${entry.name}' flattened with the scope after the name`, 'resemblance');
    }
  }
}

/**
 * A popular name with a number appended (`react2`, `react-2`, `react-v2`), or a popular name that
 * ends in a number with another number (`boto4` for `boto3`, `webpack-cli6` for `webpack-cli5`).
 */
export function versionSuffix(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const parts = VERSION_SUFFIX.exec(candidate.canon);
  if (parts && parts[1]!.length >= MIN_STEM_LENGTH) {
    const entry = index.byCanon.get(parts[1]!);
    if (entry?.scope === null) sink(entry, 'version-suffix', `added version suffix '${parts[2]}${parts[3]}'`, 'resemblance');
  }
  const numbered = splitTrailingNumber(candidate.canon);
  if (!numbered) return;
  for (const entry of index.rules.numberedByStem.get(numbered.stem) ?? []) {
    const theirs = splitTrailingNumber(entry.canon)!.number;
    if (theirs !== numbered.number) sink(entry, 'version-suffix', `version number ${numbered.number} instead of ${theirs}`, 'resemblance');
  }
}

/**
 * An ecosystem word added to a popular name (`typescriptjs`), dropped from it (`dateutil` for
 * `python-dateutil`) or swapped for another (`python-mongo` for `pymongo`).
 */
export function affixes(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const query = candidate.canon;
  if (query.length <= SHORT_NAME_MAX) return; // `yaml` is not a squat of `pyyaml`, nor `fuse` of `fuse.js`
  const offer = byRule(sink);
  // Dropping the language word is how people guess PyPI names from import names (`dateutil`). On npm
  // the bare word is usually an older, unrelated package (`highlight`, `sprintf`, `fetch`).
  if (index.ecosystem === 'pypi') {
    for (const core of index.rules.coresByStem.get(query) ?? []) offer(core.entry, 'affix', `dropped ${describeAffix(core.affix)}`);
  }
  for (const { stem, affix } of splitAffixes(index.ecosystem, query, MIN_STEM_LENGTH)) {
    const entry = index.byCanon.get(stem);
    if (entry?.scope === null) offer(entry, 'affix', `added ${describeAffix(affix)}`);
    if (!affix.language) continue;
    for (const core of index.rules.coresByStem.get(stem) ?? []) {
      if (core.affix.word !== affix.word) {
        offer(core.entry, 'affix', `'${affix.text}' instead of '${core.affix.text}'`);
      } else if (core.affix.position !== affix.position) {
        offer(core.entry, 'word-order', `'${affix.word}' moved to the ${affix.position === 'prefix' ? 'front' : 'end'}`);
      } // else the same affix with another separator: the separator rule's case
    }
  }
}

/** A typo inside a popular name that also gained an affix: `ethesjs` → `ethers`, `dizcordjs` → `discord.js`. */
export function affixWithTypo(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  for (const { stem, affix } of splitAffixes(index.ecosystem, candidate.canon, MIN_COMBINED_STEM_LENGTH, 'language')) {
    // A joined prefix plus a typo reads any `py…` name as a squat (`pygobject` → `vobject`).
    if (affix.position === 'prefix' && !/[-._]$/.test(affix.text)) continue;
    const offer = (entry: PopularEntry, core: string, kind: EditKind, position: number, affixText: string): void => {
      if (core.length < MIN_COMBINED_STEM_LENGTH) return;
      const edit = describeEdit(stem, core, kind, position);
      if ((edit.strength === 'strict' || edit.strength === 'likely') && editCounts(edit, Math.min(stem.length, core.length))) {
        sink(entry, edit.rule, `${edit.detail}, plus ${affixText}`, ruleTier(edit.rule));
      }
    };
    index.rules.unscoped.edits(stem, (id, kind, position) => {
      const entry = index.entries[id]!;
      offer(entry, entry.canon, kind, position, `added ${describeAffix(affix)}`);
    });
    index.rules.coreEdits.edits(stem, (id, kind, position) => {
      const core = index.rules.cores[id]!;
      if (core.affix.word === affix.word && core.affix.position === affix.position) {
        offer(core.entry, core.core, kind, position, describeAffix(affix));
      }
    });
  }
}

/** npm: a typo in the scope of a popular scoped name (`@typess/node`, `@opentelemetrya/api`). */
export function scopeTypo(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  const scope = candidate.scope;
  if (scope === null) return;
  const offer = (popularScope: string, detail: string): void => {
    const entry = index.byCanon.get(`@${popularScope}/${candidate.bare}`);
    if (entry) sink(entry, 'scope-typo', `${detail} in the scope`, 'typo');
  };
  index.rules.scopeEdits.edits(scope, (id, kind, position) => {
    const popularScope = index.rules.scopes[id]!;
    const edit = describeEdit(scope, popularScope, kind, position);
    if (editCounts(edit, Math.min(scope.length, popularScope.length))) offer(popularScope, edit.detail);
  });
  forEachLookalikeVariant(scope, (variant, detail) => {
    if (index.rules.scopeIds.has(variant) && strengthCounts('likely', Math.min(scope.length, variant.length))) offer(variant, detail);
  });
}

/**
 * npm: a popular unscoped name under a scope that is not its own, dressed up as official: the bare
 * name is the popular name, or one typo from it, under a scope named after it (`@lodash/lodash`,
 * `@axios-js/axois`), or scope and name together spell it (`@cross/env`). The bare
 * popular name under any other scope is a fork or a wrapper (`@tremor/react`, `@fidm/asn1`): two
 * in every hundred npm names look like that, so they are left alone.
 */
export function foreignScope(index: PopularIndex, candidate: Candidate, sink: Sink): void {
  if (candidate.scope === null) return;
  const bare = candidate.bare;
  const scopeWords = stripSeparators(candidate.scope);
  const namedAfter = (entry: PopularEntry): boolean => scopeWords.includes(stripSeparators(entry.canon));
  const exact = index.byCanon.get(bare);
  if (exact?.scope === null && bare.length >= MIN_STEM_LENGTH && namedAfter(exact)) {
    sink(exact, 'foreign-scope', `'${exact.name}' published under the scope @${candidate.scope}`, 'resemblance');
  }
  index.rules.unscoped.edits(bare, (id, kind, position) => {
    const entry = index.entries[id]!;
    const edit = describeEdit(bare, entry.canon, kind, position);
    if (namedAfter(entry) && editCounts(edit, Math.min(bare.length, entry.canon.length))) {
      sink(entry, 'foreign-scope', `${edit.detail}, under the scope @${candidate.scope}`, 'resemblance');
    }
  });
  for (const entry of index.rules.skeletons.get(stripSeparators(candidate.scope + bare)) ?? []) {
    if (entry.scope === null) sink(entry, 'foreign-scope', `'${entry.name}' split into a scope and a name`, 'resemblance');
  }
}

/** Each way of replacing one look-alike sequence by its single character, or the reverse. */
function forEachLookalikeVariant(text: string, visit: (variant: string, detail: string) => void): void {
  for (const [single, sequence] of LOOKALIKE_SEQUENCES) {
    for (let at = text.indexOf(sequence); at !== -1; at = text.indexOf(sequence, at + 1)) {
      visit(text.slice(0, at) + single + text.slice(at + sequence.length), `'${sequence}' instead of look-alike '${single}'`);
    }
    for (let at = text.indexOf(single); at !== -1; at = text.indexOf(single, at + 1)) {
      visit(text.slice(0, at) + sequence + text.slice(at + 1), `'${single}' instead of look-alike '${sequence}'`);
    }
  }
}
