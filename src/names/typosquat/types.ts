// The typosquat matcher's public types.

/** Which kind of resemblance made a name look like a squat of a popular one. */
export type TyposquatRule =
  | 'omitted-char' // a character of the popular name left out: `comander` → `commander`
  | 'repeated-char' // a character doubled: `expresss` → `express`
  | 'swapped-chars' // two adjacent characters swapped: `reqeusts` → `requests`
  | 'substituted-char' // one character replaced: `requezts` → `requests`
  | 'homoglyph' // a look-alike replaced: `1odash` → `lodash`, `rn` for `m`
  | 'inserted-char' // one character added: `aiopbotocore` → `aiobotocore`
  | 'separator' // '-', '.', '_' added, dropped or changed: `crossenv` → `cross-env`
  | 'word-order' // the words reordered: `nmap-python` → `python-nmap`
  | 'version-suffix' // a number appended, dropped or bumped: `react2`, `react-2` → `react`; `boto4` → `boto3`
  | 'leading-char' // a letter put in front or taken from the front: `xlodash`, `odash` → `lodash`
  | 'affix' // an ecosystem word added, dropped or swapped: `typescriptjs`, `python-mongo` → `pymongo`
  | 'scope-dropped' // an npm scope flattened into the name: `types-node` → `@types/node`
  | 'scope-typo' // a typo in a popular npm scope: `@typess/node` → `@types/node`
  | 'foreign-scope' // a popular unscoped npm name (or a typo of it) under another scope: `@evil/lodash`, `@cross/env`
  | 'case'; // the lowercase spelling of a legacy mixed-case npm name: `jsonstream` → `JSONStream`

/**
 * How strong the evidence of a resemblance is on its own:
 * - `typo`: a one-character slip of the kinds rarely made by naming a package (a swapped or doubled
 *   letter, a neighbouring key, a look-alike, a separator, a case or scope trick);
 * - `resemblance`: a name that could be a squat but is also how legitimate packages get named (a
 *   letter in front, an affix, another version number, another scope, an unusual substitution in a
 *   short name). The policy needs more evidence (age, downloads) before it denies one.
 */
export type TyposquatTier = 'typo' | 'resemblance';

export interface TyposquatMatch {
  /** The popular name, as spelled in the popular list. */
  target: string;
  targetDownloads: number;
  rule: TyposquatRule;
  /** One short phrase a person understands, e.g. "swapped 'e' and 'u'". */
  detail: string;
  tier: TyposquatTier;
}

export interface PopularPackage {
  name: string;
  downloads: number;
}

export interface TyposquatOptions {
  /** Names never treated as popular targets (popular-list squats such as npm `loadash`). */
  exclude?: Iterable<string>;
  /** Names with more words than this are not checked for reordered words (default 6). */
  maxWordOrderTokens?: number;
  /**
   * npm scopes (without `@`) that belong to established organisations, though none of their
   * packages is popular enough to be a target: `@storyblok` is one edit from `@storybook` and is
   * not a squat of it. Read when the first scoped name is matched (a generator defers the work), or
   * by buildIndexes.
   */
  knownScopes?: Iterable<string>;
}

export interface TyposquatMatcher {
  /**
   * The popular name `name` most likely imitates, or null: the closest one (a typo before a
   * resemblance), then the most downloaded. Popular names themselves never match.
   */
  match(name: string): TyposquatMatch | null;
  /** Every popular name `name` resembles, one match per target, best first (as `match` orders them). */
  matchAll(name: string): TyposquatMatch[];
  /** Whether `name` is one of the popular names (canonical comparison; see the npm case rule). */
  isPopular(name: string): boolean;
  /** How many popular names are indexed. */
  readonly size: number;
  /**
   * Builds the indexes the rules probe now, lookup tables and known scopes included (otherwise
   * they are built at the first name that is not itself popular, or the first scoped one): for a
   * server, so no request waits for them.
   */
  buildIndexes(): void;
}
