// Length gates: the shorter a name, the more legitimate names sit one edit away from it (research
// §1.9: 43% of PyPI names of ≤ 4 characters are within one edit of a top-15k name, 0.7% of names of
// ≥ 8), so short names are only checked for the kinds of resemblance that are rarely accidental.
import type { DescribedEdit } from './edits.js';
import type { TyposquatRule, TyposquatTier } from './types.js';

/** Names shorter than this are never matched by a character edit. */
export const MIN_EDIT_LENGTH = 3;
/** Up to this length only strict edits count: digit look-alikes, doubled letters, separators. */
export const SHORT_NAME_MAX = 4;
/** Up to this length loose edits (a substitution that is neither a neighbouring key, a vowel nor a look-alike) do not count. */
export const MEDIUM_NAME_MAX = 7;
/** The popular name inside an affixed or numbered candidate must be at least this long. */
export const MIN_STEM_LENGTH = 4;
/** An affix combined with a typo (`ethesjs` → `ethers`) needs stems at least this long, and a strict or likely edit. */
export const MIN_COMBINED_STEM_LENGTH = 5;

/**
 * Whether a single-character edit counts between names whose shorter one has `length` characters:
 * strict edits from MIN_EDIT_LENGTH characters, likely ones above SHORT_NAME_MAX, loose ones above
 * MEDIUM_NAME_MAX (so OSA distance 1 for names of 8 characters and more, except the `naming` edits
 * at the front of a name, which never count).
 */
export function editCounts(edit: DescribedEdit, length: number): boolean {
  return strengthCounts(edit.strength, length);
}

export function strengthCounts(strength: DescribedEdit['strength'], length: number): boolean {
  if (length < MIN_EDIT_LENGTH) return false;
  if (strength === 'strict') return true;
  if (strength === 'likely') return length > SHORT_NAME_MAX;
  if (strength === 'loose') return length > MEDIUM_NAME_MAX;
  return false;
}

/**
 * The tier a single-character edit counts at between names whose shorter one has `length`
 * characters, or null: an edit that counts by editCounts is a `typo` (unless its rule names a naming
 * convention); from SHORT_NAME_MAX + 1 characters any other edit, a loose substitution (`pyyaxl`) or
 * a letter at the front (`xlodash`, `odash`), is a `resemblance`.
 */
export function editTier(edit: DescribedEdit, length: number): TyposquatTier | null {
  if (editCounts(edit, length)) return ruleTier(edit.rule);
  return length >= MIN_EDIT_LENGTH && length > SHORT_NAME_MAX ? 'resemblance' : null;
}

/**
 * Rules that describe how legitimate companion packages are named (`eslint-cli`, `hash-string`, the
 * pre-scope `turf-intersect`, `cbor2`, `preact`, `@acme/lodash`): a resemblance, never a typo alone.
 */
const NAMING_CONVENTION_RULES: ReadonlySet<TyposquatRule> = new Set([
  'affix',
  'word-order',
  'scope-dropped',
  'version-suffix',
  'leading-char',
  'foreign-scope',
]);

export function ruleTier(rule: TyposquatRule): TyposquatTier {
  return NAMING_CONVENTION_RULES.has(rule) ? 'resemblance' : 'typo';
}

/** Reordered words count from this length (`is-type` / `type-is` are both legitimate). */
export const MIN_WORD_ORDER_LENGTH = 8;
