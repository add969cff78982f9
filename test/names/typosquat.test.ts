// The typosquat matcher's rules and gates, each with names it must and must not match, over small
// hand-made popular lists (the real popular sets are exercised in typosquat-data.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTyposquatMatcher, type TyposquatRule, type TyposquatTier } from '../../src/names/index.js';
import { DeletionIndex } from '../../src/names/typosquat/deletion-index.js';

const npm = createTyposquatMatcher('npm', [
  { name: 'lodash', downloads: 450 },
  { name: 'express', downloads: 300 },
  { name: 'react', downloads: 350 },
  { name: 'cross-env', downloads: 60 },
  { name: 'uglify-js', downloads: 150 },
  { name: '@types/node', downloads: 1000 },
  { name: '@types/ms', downloads: 90 },
  { name: '@opentelemetry/api', downloads: 140 },
  { name: 'JSONStream', downloads: 44 },
  { name: 'sshpk', downloads: 90 },
  { name: 'moment', downloads: 120 },
  { name: 'tweetnacl', downloads: 110 },
  { name: 'typescript', downloads: 530 },
  { name: 'zustand', downloads: 92 },
  { name: 'ethers', downloads: 10 },
  { name: 'discord.js', downloads: 2 },
  { name: 'node-fetch', downloads: 440 },
  { name: 'axios', downloads: 400 },
  { name: 'commander', downloads: 900 },
  { name: 'glob', downloads: 800 },
  { name: 'vue', downloads: 50 },
  { name: 'ms', downloads: 700 },
  { name: 'yarn', downloads: 30 },
  { name: 'mysql-import', downloads: 3 },
  { name: 'is-type', downloads: 5 },
  { name: 'eslint', downloads: 300 },
  { name: 'reach', downloads: 1 },
  { name: 'babel-core', downloads: 28 },
  { name: '@babel/core', downloads: 548 },
  { name: 'is-url', downloads: 20 },
  { name: 'fast-uri', downloads: 20 },
  { name: 'is-string', downloads: 40 },
  { name: 'requires-port', downloads: 10 },
  { name: 'require-directory', downloads: 10 },
]);

const pypi = createTyposquatMatcher('pypi', [
  { name: 'requests', downloads: 1290 },
  { name: 'python-dateutil', downloads: 960 },
  { name: 'PyYAML', downloads: 850 },
  { name: 'pymongo', downloads: 94 },
  { name: 'kafka-python', downloads: 23 },
  { name: 'numpy', downloads: 870 },
  { name: 'django', downloads: 49 },
  { name: 'colorama', downloads: 386 },
  { name: 'PyJWT', downloads: 504 },
  { name: 'python-nmap', downloads: 1 },
  { name: 'pandas', downloads: 625 },
  { name: 'urllib3', downloads: 1420 },
  { name: 'boto3', downloads: 1880 },
  { name: 'pip', downloads: 900 },
  { name: 'aiofiles', downloads: 200 },
  { name: 'my-package', downloads: 1 },
  { name: 'lz4', downloads: 50 },
]);

function expectMatch(matcher: typeof npm, name: string, target: string, rule: TyposquatRule, detail?: string, tier?: TyposquatTier): void {
  const match = matcher.match(name);
  assert.ok(match, `${name} should match ${target}`);
  assert.is(match.target, target, name);
  assert.is(match.rule, rule, `${name}: ${match.detail}`);
  if (detail !== undefined) assert.is(match.detail, detail, name);
  if (tier !== undefined) assert.is(match.tier, tier, name);
}

function expectResemblance(matcher: typeof npm, name: string, target: string, rule: TyposquatRule, detail?: string): void {
  expectMatch(matcher, name, target, rule, detail, 'resemblance');
}

function expectNone(matcher: typeof npm, ...names: string[]): void {
  for (const name of names) assert.is(matcher.match(name), null, `${name}: ${JSON.stringify(matcher.match(name))}`);
}

test('a popular name is never a typosquat; isPopular compares canonically; size counts names', () => {
  expectNone(npm, 'lodash', 'react', '@types/node', 'LODASH', 'JSONStream');
  expectNone(pypi, 'requests', 'Requests', 'pyyaml', 'python_dateutil', 'My_Package', 'my.package');
  assert.ok(pypi.isPopular('PyYaml') && pypi.isPopular('python.dateutil') && npm.isPopular('Lodash'));
  assert.not.ok(npm.isPopular('lodahs'));
  assert.is(npm.size, 34);
  assert.is(pypi.size, 17);
});

test('omitted-char: from 5 characters; one of a doubled letter at any length', () => {
  expectMatch(npm, 'comander', 'commander', 'omitted-char', "dropped one 'm' of 'mm'");
  expectMatch(npm, 'expess', 'express', 'omitted-char', "omitted 'r'");
  expectMatch(npm, 'shpk', 'sshpk', 'omitted-char', "dropped one 's' of 'ss'");
  expectMatch(npm, 'twetnacl', 'tweetnacl', 'omitted-char');
  expectNone(npm, 'axos', 'glb'); // ≤ 4 characters
  expectNone(npm, 'xios'); // a leading letter dropped is how names are made, not a slip
});

test('repeated-char: strict, so from 3 characters', () => {
  expectMatch(npm, 'expresss', 'express', 'repeated-char', "repeated 's'");
  expectMatch(npm, 'reactt', 'react', 'repeated-char');
  expectMatch(npm, 'vuee', 'vue', 'repeated-char');
  expectMatch(pypi, 'rrequests', 'requests', 'repeated-char');
  expectNone(npm, 'mss', 'mms'); // 2-character targets are never matched by an edit
});

test('swapped-chars: adjacent only, from 5 characters', () => {
  expectMatch(pypi, 'reqeusts', 'requests', 'swapped-chars', "swapped 'e' and 'u'");
  expectMatch(npm, 'loadsh', 'lodash', 'swapped-chars');
  expectMatch(npm, 'axois', 'axios', 'swapped-chars');
  expectNone(npm, 'lgob', 'gobl'); // ≤ 4 characters; not adjacent
  expectNone(pypi, 'eruqests'); // two swaps away
});

test('substituted-char: neighbouring keys and vowels from 5 characters, any letter from 8', () => {
  expectMatch(pypi, 'mumpy', 'numpy', 'substituted-char', "'m' instead of 'n' (neighbouring key)");
  expectMatch(pypi, 'djanga', 'django', 'substituted-char', "'a' instead of 'o'");
  expectMatch(pypi, 'requezts', 'requests', 'substituted-char');
  expectMatch(pypi, 'gequests', 'requests', 'substituted-char'); // not a neighbour, but 8 characters
  // 's'/'r' is neither a neighbour nor a vowel pair: at 6 characters a resemblance, not a typo
  expectMatch(pypi, 'pandar', 'pandas', 'substituted-char', "'r' instead of 's'", 'resemblance');
  expectNone(npm, 'vie', 'mz'); // short names: only strict edits
  expectResemblance(npm, 'jslint', 'eslint', 'substituted-char'); // 'j' for 'e' at 6 characters
});

test('substituted-char: the more popular target wins when two match', () => {
  expectMatch(npm, 'reacg', 'react', 'substituted-char'); // also 'reach' (1 download)
  const flipped = createTyposquatMatcher('npm', [
    { name: 'react', downloads: 1 },
    { name: 'reach', downloads: 9 },
  ]);
  assert.is(flipped.match('reacg')?.target, 'reach');
});

test('homoglyph: digits for letters at any length, rn/vv/cl and letter pairs from 5', () => {
  expectMatch(npm, '1odash', 'lodash', 'homoglyph', "'1' instead of look-alike 'l'");
  expectMatch(npm, 'rnoment', 'moment', 'homoglyph', "'rn' instead of look-alike 'm'");
  expectMatch(npm, 'g1ob', 'glob', 'homoglyph');
  expectMatch(pypi, 'reque5ts', 'requests', 'homoglyph');
  expectMatch(pypi, 'r3quests', 'requests', 'homoglyph');
  expectNone(npm, 'yam'); // 'm' for 'rn' on a 4-character name
  expectNone(npm, 'vve'); // 'v' for 'u' is a letter pair: too weak at 3 characters
});

test('inserted-char: from 5 characters, never a letter in front', () => {
  expectMatch(pypi, 'colourama', 'colorama', 'inserted-char', "inserted 'u'");
  expectMatch(npm, 'axioss', 'axios', 'repeated-char');
  expectMatch(npm, 'axiosz', 'axios', 'inserted-char');
  // A letter put in front is how new packages are named: a resemblance, never a typo.
  expectResemblance(npm, 'preact', 'react', 'leading-char', "'p' put in front");
  expectNone(npm, 'globe', 'pipx'.replace('pip', 'ms')); // ≤ 4-character targets
  expectNone(pypi, 'pipx');
});

test('separator: added, dropped or changed; npm refuses new ones, old ones remain', () => {
  expectMatch(npm, 'crossenv', 'cross-env', 'separator', "dropped '-'");
  expectMatch(npm, 'cross_env', 'cross-env', 'separator', "'_' instead of '-'");
  expectMatch(npm, 'uglify.js', 'uglify-js', 'separator');
  expectMatch(npm, 'uglifyjs', 'uglify-js', 'separator');
  expectMatch(pypi, 'py-jwt', 'PyJWT', 'separator', "added '-'");
  expectMatch(pypi, 'kafkapython', 'kafka-python', 'separator');
  expectNone(npm, 'm-s'); // too short
});

test('word-order: reordered words of names of 8+ characters', () => {
  expectMatch(pypi, 'nmap-python', 'python-nmap', 'word-order');
  expectMatch(npm, 'import-mysql', 'mysql-import', 'word-order');
  expectMatch(pypi, 'pythonkafka', 'kafka-python', 'word-order', "'python' moved to the front");
  expectMatch(pypi, 'python-kafka', 'kafka-python', 'word-order');
  expectNone(npm, 'type-is'); // 7 characters: both orders are common, legitimate names
  const many = createTyposquatMatcher('npm', [{ name: 'a-b-c-d-e-f-g', downloads: 1 }], { maxWordOrderTokens: 6 });
  assert.is(many.match('g-f-e-d-c-b-a'), null); // more words than the cap
});

test('version-suffix: one digit after a popular name of 4+ characters', () => {
  expectMatch(npm, 'react2', 'react', 'version-suffix', "added version suffix '2'");
  expectMatch(npm, 'react-2', 'react', 'version-suffix', "added version suffix '-2'");
  expectMatch(npm, 'react-v2', 'react', 'version-suffix');
  expectMatch(pypi, 'urllib', 'urllib3', 'version-suffix', "dropped version suffix '3'");
  expectNone(npm, 'vue2', 'vue-2'); // stem of 3 characters
  expectNone(npm, 'lodash-42', 'base45'); // two digits: not a version
});

test('affix: language and ecosystem words added, dropped (PyPI) or swapped', () => {
  expectMatch(npm, 'typescriptjs', 'typescript', 'affix', "added suffix 'js'");
  expectMatch(npm, 'zustand.js', 'zustand', 'affix', "added suffix '.js'");
  expectMatch(npm, 'node-lodash', 'lodash', 'affix', "added prefix 'node-'");
  expectMatch(npm, 'express-cli', 'express', 'affix');
  expectMatch(pypi, 'python-mongo', 'pymongo', 'affix', "'python-' instead of 'py'");
  expectMatch(pypi, 'dateutil', 'python-dateutil', 'affix', "dropped prefix 'python-'");
  expectMatch(pypi, 'python-yaml', 'PyYAML', 'affix');
  expectMatch(pypi, 'requests-utils', 'requests', 'affix');
  expectNone(pypi, 'yaml'); // 4 characters: `pip install yaml` is not flagged (decided: short names get strict rules only)
  expectNone(npm, 'fetch'); // npm: dropping 'node-' leaves a word that is usually an older, unrelated package
  expectNone(npm, 'jsonexpress'); // no joined 'js' prefix: it would split every json… name
});

test('affix with a typo: a language word plus one likely edit, stems of 5+', () => {
  expectMatch(npm, 'ethesjs', 'ethers', 'omitted-char', "omitted 'r', plus added suffix 'js'");
  expectMatch(npm, 'etherdjs', 'ethers', 'substituted-char');
  expectMatch(npm, 'dizcordjs', 'discord.js', 'substituted-char');
  expectNone(npm, 'ethqrsjs'); // 'q' for 'e' is a loose edit: not with an affix
});

test('scope-dropped: a popular scoped name flattened or with its scope moved behind', () => {
  expectMatch(npm, 'types-node', '@types/node', 'scope-dropped');
  expectMatch(npm, 'typesnode', '@types/node', 'scope-dropped');
  expectMatch(npm, 'types.node', '@types/node', 'scope-dropped');
  expectMatch(npm, 'node-types', '@types/node', 'scope-dropped');
  expectNone(npm, 'node', 'types');
});

test('scope-typo: a typo in a popular scope with a popular package name after it', () => {
  expectMatch(npm, '@typess/node', '@types/node', 'scope-typo', "repeated 's' in the scope");
  expectMatch(npm, '@opentelemetrya/api', '@opentelemetry/api', 'scope-typo');
  expectMatch(npm, '@tpyes/node', '@types/node', 'scope-typo');
  expectNone(npm, '@typess/other'); // the package name must be a popular one of that scope
  expectNone(npm, '@evil/lodash'); // a foreign scope on an unscoped name: forks do this all the time
});

test("scope-typo: an established organisation's own scope is never a squat of a near one", () => {
  const entries = [{ name: '@storybook/react', downloads: 1000 }];
  const withoutKnown = createTyposquatMatcher('npm', entries);
  expectMatch(withoutKnown, '@storyblok/react', '@storybook/react', 'scope-typo');
  const withKnown = createTyposquatMatcher('npm', entries, { knownScopes: ['Storyblok'] });
  expectNone(withKnown, '@storyblok/react');
  expectMatch(withKnown, '@storybok/react', '@storybook/react', 'scope-typo');
});

test('same-scope siblings are never squats', () => {
  expectNone(npm, '@types/nodee', '@types/qs', '@types/ms2', '@types/node-types', '@opentelemetry/apii');
});

test('case: the lowercase spelling of a legacy mixed-case npm name', () => {
  expectMatch(npm, 'jsonstream', 'JSONStream', 'case', "lowercase spelling of 'JSONStream'");
  expectMatch(npm, 'JsonStream', 'JSONStream', 'case');
  assert.not.ok(npm.isPopular('jsonstream'));
  expectNone(npm, 'Lodash', 'REACT'); // case variants of lowercase names cannot be published
  expectNone(pypi, 'pyyaml', 'PYYAML'); // PyPI names are case-insensitive
});

test('exclude: popular-list squats are not targets and can be matched themselves', () => {
  const list = [
    { name: 'lodash', downloads: 450 },
    { name: 'loadash', downloads: 3 },
  ];
  assert.is(createTyposquatMatcher('npm', list).match('loadash'), null);
  const excluding = createTyposquatMatcher('npm', list, { exclude: ['LoaDash'] });
  assert.is(excluding.size, 1);
  assert.not.ok(excluding.isPopular('loadash'));
  assert.is(excluding.match('loadash')?.target, 'lodash');
});

test('duplicate spellings keep the most downloaded one', () => {
  const matcher = createTyposquatMatcher('pypi', [
    { name: 'Foo_Bar', downloads: 5 },
    { name: 'foo-bar', downloads: 50 },
  ]);
  assert.is(matcher.size, 1);
  assert.equal(matcher.match('foo-barr'), {
    target: 'foo-bar',
    targetDownloads: 50,
    rule: 'repeated-char',
    detail: "repeated 'r'",
    tier: 'typo',
  });
});

test('leading-char: a letter put in front or dropped from the front is a resemblance from 5 characters', () => {
  expectResemblance(npm, 'xlodash', 'lodash', 'leading-char', "'x' put in front");
  expectResemblance(npm, 'treact', 'react', 'leading-char');
  expectResemblance(npm, 'kexpress', 'express', 'leading-char');
  expectResemblance(npm, 'odash', 'lodash', 'leading-char', "dropped the leading 'l'");
  expectNone(npm, 'xglob', 'lob'); // 4-character targets: too many real names sit one letter away
});

test('substitutions in short names that are no neighbouring key or look-alike: a resemblance from 5 characters', () => {
  expectResemblance(pypi, 'pyyaxl', 'PyYAML', 'substituted-char', "'x' instead of 'm'");
  expectMatch(pypi, 'pyyamk', 'PyYAML', 'substituted-char', "'k' instead of 'l' (neighbouring key)", 'typo');
  expectNone(pypi, 'pipz', 'lz5'); // ≤ 4 characters
});

test('affixes beyond the language words: -sdk, -api, -client, -dev, -tools, -proxy, -npm, glued node/py', () => {
  expectResemblance(npm, 'lodash-sdk', 'lodash', 'affix', "added suffix '-sdk'");
  expectResemblance(npm, 'axios-api', 'axios', 'affix');
  expectResemblance(pypi, 'requests-client', 'requests', 'affix');
  expectResemblance(npm, 'express-dev', 'express', 'affix');
  expectResemblance(pypi, 'pandas-tools', 'pandas', 'affix');
  expectResemblance(npm, 'axios-proxy', 'axios', 'affix');
  expectResemblance(npm, 'lodash-npm', 'lodash', 'affix');
  expectResemblance(npm, 'nodeexpress', 'express', 'affix', "added prefix 'node'");
  expectResemblance(npm, 'expressnode', 'express', 'affix', "added suffix 'node'");
  expectResemblance(pypi, 'requestspy', 'requests', 'affix', "added suffix 'py'");
  expectResemblance(npm, 'lodash.js', 'lodash', 'affix', "added suffix '.js'");
  expectNone(npm, 'vue-sdk', 'sdk-lodash'); // a stem of 3 characters; -sdk only goes at the end
  expectNone(pypi, 'numpy-py'.slice(0, 5)); // `numpy` is not `num` plus a glued `py`
});

test('version-suffix: a popular name that ends in a number, with another number', () => {
  expectResemblance(pypi, 'urllib4', 'urllib3', 'version-suffix', 'version number 4 instead of 3');
  expectResemblance(pypi, 'boto4', 'boto3', 'version-suffix');
  expectNone(pypi, 'lz5'); // a stem of 2 characters
});

test('scoped look-alikes of unscoped names, and the closer of a legacy name and its scoped successor', () => {
  expectResemblance(npm, '@lodash/lodash', 'lodash', 'foreign-scope', "'lodash' published under the scope @lodash");
  expectResemblance(npm, '@axios-js/axois', 'axios', 'foreign-scope');
  expectResemblance(npm, '@cross/env', 'cross-env', 'foreign-scope', "'cross-env' split into a scope and a name");
  expectNone(npm, '@tremor/react', '@acme/lodahs'); // a fork or wrapper under someone's own scope
  // `babelcore` is one separator from the legacy `babel-core` and a flattened `@babel/core`: the
  // typo is the closer resemblance, though the scoped package is more downloaded.
  expectMatch(npm, 'babelcore', 'babel-core', 'separator', "dropped '-'", 'typo');
  assert.equal(
    npm.matchAll('babelcore').map((match) => match.target),
    ['babel-core', '@babel/core'],
  );
  expectResemblance(npm, 'typesnde', '@types/node', 'scope-dropped', "'@types/node' flattened, with omitted 'o'");
  expectNone(npm, 'typesxyz');
});

test('one word for another word of popular names, or a letter for a separator: a resemblance, not a typo', () => {
  // `uri` is a word of `fast-uri`: `is-uri` is another package's name, not a slip on `is-url`.
  expectResemblance(npm, 'is-uri', 'is-url', 'homoglyph', "'i' instead of look-alike 'l': 'uri' is a word of other popular names");
  expectMatch(npm, 'is-urk', 'is-url', 'substituted-char', "'k' instead of 'l' (neighbouring key)", 'typo'); // `urk` is nobody's word
  // The plural or singular of the word is a squat class of its own: still a typo.
  expectMatch(npm, 'require-port', 'requires-port', 'omitted-char', "omitted 's'", 'typo');
  expectResemblance(npm, 'isostring', 'is-string', 'substituted-char', "'o' instead of '-'");
});

test('matchAll: every resembled target once, best first, the first being match()', () => {
  const all = npm.matchAll('treact');
  assert.is(all[0]!.target, npm.match('treact')!.target);
  assert.equal(new Set(all.map((match) => match.target)).size, all.length);
  assert.equal(npm.matchAll('lodash'), []);
});

/** Optimal string alignment distance, by the textbook dynamic programme. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

test('the deletion index finds exactly the keys at OSA distance 1 (against the dynamic programme)', () => {
  let seed = 7;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const word = (): string => Array.from({ length: 1 + random(7) }, () => 'abc-'[random(4)]).join('');
  const keys = [...new Set(Array.from({ length: 400 }, word))];
  const index = new DeletionIndex();
  keys.forEach((key, id) => index.add(key, id));
  for (let q = 0; q < 600; q++) {
    const query = word();
    const found = new Set<number>();
    index.edits(query, (id) => found.add(id));
    const expected = keys.flatMap((key, id) => (osa(query, key) === 1 ? [id] : []));
    assert.equal(
      [...found].sort((a, b) => a - b),
      expected,
      query,
    );
    const exact: number[] = [];
    index.exact(query, (id) => exact.push(id));
    assert.equal(exact, keys.includes(query) ? [keys.indexOf(query)] : [], query);
  }
  // Keys added after lookups are found too (the lookup table is rebuilt).
  index.add('zzzz', keys.length);
  const afterAdd = new Set<number>();
  index.edits('zzz', (id) => afterAdd.add(id));
  assert.equal([...afterAdd], [keys.length]);
});

test('the rule indexes are built at the first name that is not popular, or by buildIndexes(): the same answers either way', () => {
  const popular = [
    { name: 'react', downloads: 9 },
    { name: 'lodash', downloads: 8 },
    { name: '@types/node', downloads: 7 },
  ];
  const lazy = createTyposquatMatcher('npm', popular);
  assert.ok(lazy.isPopular('react'));
  assert.is(lazy.match('react'), null);
  const eager = createTyposquatMatcher('npm', popular);
  eager.buildIndexes();
  for (const name of ['raect', 'lodahs', '@typess/node', 'types-node', 'xreact', 'react2', 'unrelated']) {
    assert.equal(lazy.matchAll(name), eager.matchAll(name), name);
  }
  assert.is(lazy.match('raect')?.target, 'react');
});

test('buildIndexes() also reads the known scopes, so the first scoped name waits for nothing', () => {
  let read = 0;
  function* knownScopes(): Generator<string> {
    read++;
    yield 'Storyblok';
  }
  const matcher = createTyposquatMatcher('npm', [{ name: '@storybook/react', downloads: 9 }], { knownScopes: knownScopes() });
  assert.is(read, 0);
  matcher.buildIndexes();
  assert.is(read, 1);
  assert.is(matcher.match('@storyblok/react'), null);
  assert.is(matcher.match('@storybok/react')?.target, '@storybook/react');
  assert.is(read, 1);
});

test.run();
