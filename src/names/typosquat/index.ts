// The typosquat matcher: an index of popular names and the typo rules that probe it.
//
// Rules and the name lengths they apply at (the shorter of candidate and target; gates.ts):
// - strict, from 3 characters: a doubled letter added or dropped, a digit for a look-alike letter
//   (`1odash`), a separator added/dropped/changed, npm case, a flattened npm scope;
// - likely, from 5: a letter omitted, inserted or swapped with its neighbour, a neighbouring key, a
//   vowel for a vowel, a look-alike letter or sequence (`rn` for `m`), a trailing version digit;
// - loose, from 8: any other substitution, a digit for a digit;
// - never alone: a letter added to or taken from the front (`preact`, `gaxios`, `unicorn`);
// - reordered words from 8 characters; a version digit or an ecosystem affix on a popular stem of
//   4+ characters (candidates of 5+); an affix plus a likely typo on stems of 5+.
//
// npm specifics. The registry compares names lowercase but stores legacy mixed-case names as spelled,
// and refuses new names with capitals: so the lowercase spelling of a legacy name (`jsonstream` for
// `JSONStream`) is a different, publishable package, and the only case squat that can exist today.
// A mixed-case variant of a lowercase name (`Lodash`) cannot be published and counts as the popular
// name. Since 2017 the registry also refuses a new unscoped name whose punctuation-stripped form
// equals an existing one, so separator squats (`crossenv`) are old, but they are still installable.
// A scope that holds a popular package belongs to its owner: names in it are never squats.
export { createTyposquatMatcher } from './matcher.js';
export type { PopularPackage, TyposquatMatch, TyposquatMatcher, TyposquatOptions, TyposquatRule, TyposquatTier } from './types.js';
