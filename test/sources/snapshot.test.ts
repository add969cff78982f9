import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile, packageRoot } from '../../src/sources/package-root.js';
import { loadDownloadSnapshot, parseSnapshot } from '../../src/sources/snapshot.js';
import { loadPopularExclusions, parsePopularExclusions } from '../../src/sources/popular-exclusions.js';

const npm = loadDownloadSnapshot('npm');
const pypi = loadDownloadSnapshot('pypi');

test('packageRoot is the folder holding depfence package.json', () => {
  assert.ok(existsSync(join(packageRoot(), 'package.json')));
  assert.is(packageFile('config', 'snapshots'), join(packageRoot(), 'config', 'snapshots'));
});

test('npm snapshot: header says what it covers, and the rows agree', () => {
  assert.ok(npm.floor >= 100, `floor ${npm.floor}`);
  assert.match(npm.covers, `at least ${npm.floor} downloads`);
  assert.match(npm.dataDate, /^\d{4}-\d{2}/);
  assert.ok(npm.source.length > 0);
  assert.match(npm.rounded, /3 significant figures/);
  assert.ok(npm.size > 200_000, `size ${npm.size}`);
  let previous = Infinity;
  let smallest = Infinity;
  let rows = 0;
  for (const entry of npm.mostDownloaded()) {
    assert.ok(entry.downloads <= previous, `not sorted at ${entry.name}`);
    previous = smallest = entry.downloads;
    rows++;
  }
  assert.is(rows, npm.size);
  // Complete from the floor up: the smallest listed count is just below it (a list cut by rank).
  assert.ok(smallest >= npm.floor - 1, `smallest ${smallest}, floor ${npm.floor}`);
});

test('npm snapshot: popular and scoped names, legacy mixed case found case-insensitively', () => {
  assert.ok(npm.count('lodash')! > 100_000_000, `lodash ${npm.count('lodash')}`);
  assert.ok(npm.count('@types/node')! > 1_000_000);
  // objectFitPolyfill has no lowercase twin: any spelling finds it.
  assert.ok(npm.count('objectFitPolyfill')! > 100_000);
  assert.is(npm.count('objectfitpolyfill'), npm.count('objectFitPolyfill'));
  assert.is(npm.count('OBJECTFITPOLYFILL'), npm.count('objectFitPolyfill'));
  assert.is(npm.count('LODASH'), npm.count('lodash'));
  assert.is(npm.count('no-such-package-depfence-test'), undefined);
  // JSONStream (tens of millions) and its lowercase squat jsonstream are different packages: the
  // exact spelling wins, so pass the name as written.
  assert.ok(npm.count('JSONStream')! > 10_000_000);
  assert.ok(npm.count('jsonstream')! < npm.count('JSONStream')! / 100);
});

test('pypi snapshot: 15,000 projects, PEP 503 lookups', () => {
  assert.is(pypi.size, 15_000);
  assert.match(pypi.covers, '15,000 most-downloaded PyPI projects');
  assert.ok(pypi.count('requests')! > 100_000_000);
  assert.is(pypi.count('Typing_Extensions'), pypi.count('typing-extensions'));
  assert.ok(pypi.count('typing.extensions')! > 0);
  const last = pypi.mostDownloaded().at(-1)!;
  assert.is(pypi.floor, last.downloads + 1);
  assert.is(pypi.count('no-such-project-depfence-test'), undefined);
});

test('loadDownloadSnapshot reads a file once per process', () => {
  assert.is(loadDownloadSnapshot('npm'), npm);
});

test('parseSnapshot: a missing header or a bad row is an error naming the file', () => {
  assert.throws(
    () => parseSnapshot('npm', '# source: x\n# date: 2026\n# covers: y\n# sorted: by canonical name\na\t1\n', 'x.tsv'),
    /x\.tsv has no "# floor:"/,
  );
  const header = '# source: x\n# date: 2026\n# covers: y\n# floor: 1\n# sorted: by canonical name\n';
  assert.throws(() => parseSnapshot('npm', `${header}a\t1\nb 2\n`, 'x.tsv'), /x\.tsv line 7/);
  assert.throws(() => parseSnapshot('npm', `${header}b\t1\na\t2\n`, 'x.tsv'), /not sorted by canonical name at line 7/);
  assert.throws(() => parseSnapshot('npm', header.replace('# sorted: by canonical name\n', '') + 'a\t1\n', 'x.tsv'), /no "# sorted:"/);
  const tiny = parseSnapshot('npm', `${header}a\t1\nB\t5\nb\t3\nc\t2\n`, 'x.tsv');
  assert.is(tiny.count('A'), 1);
  assert.is(tiny.count('b'), 3);
  assert.is(tiny.count('B'), 5);
  assert.is(tiny.count('d'), undefined);
  assert.equal(
    tiny.mostDownloaded().map((entry) => entry.name),
    ['B', 'b', 'c', 'a'],
  );
});

const TINY_HEADER = '# source: x\n# date: 2026\n# covers: y\n# floor: 1\n# sorted: by canonical name\n';

test('mostDownloaded: a floor, a limit, most downloaded first and ties in file order', () => {
  const tiny = parseSnapshot('npm', `${TINY_HEADER}a\t5\nb\t9\nc\t5\nd\t1\ne\t5`, 'x.tsv');
  assert.is(tiny.size, 5);
  assert.equal(
    tiny.mostDownloaded().map((entry) => entry.name),
    ['b', 'a', 'c', 'e', 'd'],
  );
  assert.equal(tiny.mostDownloaded({ atLeast: 5 }), [
    { name: 'b', downloads: 9 },
    { name: 'a', downloads: 5 },
    { name: 'c', downloads: 5 },
    { name: 'e', downloads: 5 },
  ]);
  assert.equal(
    tiny.mostDownloaded({ limit: 2 }).map((entry) => entry.name),
    ['b', 'a'],
  );
  assert.equal(tiny.mostDownloaded({ atLeast: 10 }), []);
  // Trailing empty lines are not rows; text and bytes read the same.
  assert.is(parseSnapshot('npm', Buffer.from(`${TINY_HEADER}a\t5\n\n\n`), 'x.tsv').size, 1);
});

test('parseSnapshot: a count is decimal digits and nothing else; the error names the line', () => {
  for (const bad of ['a\t', 'a\t1e3', 'a\t 5', 'a\t5\r', 'a\t-5', 'a 5', '\t5', 'a\t0x10']) {
    const tiny = parseSnapshot('npm', `${TINY_HEADER}${bad}\n`, 'x.tsv');
    assert.throws(() => tiny.mostDownloaded(), /x\.tsv line 6 is not "name<TAB>downloads"/, JSON.stringify(bad));
  }
  // An empty line between rows is a malformed row, not the end of the table.
  assert.throws(() => parseSnapshot('npm', `${TINY_HEADER}a\t1\n\nb\t2\n`, 'x.tsv').mostDownloaded(), /line 7/);
});

test("scopes: each npm scope's total and its most downloaded package, first listed on a tie", () => {
  const tiny = parseSnapshot('npm', `${TINY_HEADER}@a/one\t5\n@a/two\t7\n@a/zed\t7\n@ab/x\t3\n@b/x\t1\nplain\t100\n`, 'x.tsv');
  const scopes = tiny.scopes();
  assert.equal([...scopes.keys()], ['a', 'ab', 'b']);
  assert.equal(scopes.get('a'), { total: 19, leader: { name: '@a/two', downloads: 7 } });
  assert.equal(scopes.get('ab'), { total: 3, leader: { name: '@ab/x', downloads: 3 } });
  assert.is(tiny.scopes(), scopes);
  // The real snapshot: a big organisation's scope adds up to more than its leader.
  const types = npm.scopes().get('types')!;
  assert.is(types.leader.name, '@types/node');
  assert.ok(types.total > types.leader.downloads);
  assert.throws(() => parseSnapshot('npm', `${TINY_HEADER}@noslash\t5\n`, 'x.tsv').scopes(), /line 6/);
});

test('popular exclusions: loadash and pyyml are excluded, real names are not', () => {
  const exclusions = loadPopularExclusions();
  assert.ok(exclusions.npm.has('loadash'));
  assert.ok(exclusions.pypi.has('pyyml'));
  assert.not.ok(exclusions.npm.has('lodash'));
  assert.not.ok(exclusions.pypi.has('pyyaml'));
  // Every exclusion is in a snapshot (otherwise it has nothing to exclude).
  for (const name of exclusions.npm) assert.ok(npm.count(name) !== undefined, `npm:${name} is not in the npm snapshot`);
  for (const name of exclusions.pypi) assert.ok(pypi.count(name) !== undefined, `pypi:${name} is not in the PyPI snapshot`);
});

test('popular exclusions: names are canonical, bad lines name file and line', () => {
  const parsed = parsePopularExclusions('# c\npypi:PyYML  # why\nnpm:LoadAsh\n', 'ex.txt');
  assert.ok(parsed.pypi.has('pyyml'));
  assert.ok(parsed.npm.has('loadash'));
  assert.throws(() => parsePopularExclusions('npm:a\ncargo:serde\n', 'ex.txt'), /ex\.txt:2/);
});

test.run();
