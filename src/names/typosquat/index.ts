// The typosquat matcher: an index of popular names and the typo rules that probe it.
//
// Rules and the name lengths they apply at (the shorter of candidate and target; gates.ts). Each
// match has a tier (types.ts): a `typo` is evidence on its own, a `resemblance` is how legitimate
// packages are also named.
// - typo, strict, from 3 characters: a doubled letter added or dropped, a digit for a look-alike
//   letter (`1odash`), a separator added/dropped/changed, npm case, a typo in a popular npm scope;
// - typo, likely, from 5: a letter omitted, inserted or swapped with its neighbour, a neighbouring
//   key, a vowel for a vowel, a look-alike letter or sequence (`rn` for `m`);
// - typo, loose, from 8: any other substitution, a digit for a digit;
// - resemblance, from 5: a loose substitution in a shorter name (`pyyaxl`), a letter added to or
//   taken from the front (`xlodash`, `preact`), a letter for a separator (`isostring`), and any
//   typo that turns one word into another word of the popular names (`is-uri` / `is-url`: `uri`
//   is a word of `fast-uri`), plurals excepted;
// - resemblance: reordered words from 8 characters; a version digit or another version number
//   (`boto4`), an ecosystem or companion affix (`-js`, `-sdk`, glued `node`) on a popular stem of
//   4+ characters (candidates of 5+); an affix plus a likely typo on stems of 5+; a scoped name
//   flattened (`types-node`), or a popular unscoped name under a scope named after it.
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
