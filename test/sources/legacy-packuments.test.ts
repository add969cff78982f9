// Packuments as real registries serve them: old versions of real packages (trimmed, in
// test/fixtures/packuments/legacy-shapes.json) are read, pass the version filter untouched, and
// decide on their facts; a version whose used fields are unreadable is hidden on its own, with the
// reason, and the rest of the package is served.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate } from '../../src/policy/index.js';
import { PackumentShapeError, readPackument } from '../../src/protocol/npm/packument.js';
import { VerdictBook } from '../../src/server/npm/filter/verdict-book.js';
import { filterPackument } from '../../src/server/npm/filter/version-filter.js';
import { tarballUrlProblem } from '../../src/server/npm/filter/tarball-host.js';
import { npmPublishTimes } from '../../src/sources/npm-metadata.js';
import { contextWith, factsFor, NOW } from '../helpers/policy.js';

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/packuments/legacy-shapes.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
>;
const legacy = Object.entries(fixtures).filter(([key]) => key !== '_comment') as [string, Record<string, unknown>][];
const REGISTRY = 'https://registry.example/';

function filterOptions() {
  const warnings: string[] = [];
  const book = new VerdictBook();
  return {
    warnings,
    book,
    options: {
      context: contextWith(),
      now: () => NOW,
      enforce: true,
      book,
      warn: (m: string) => warnings.push(m),
      tarballProblem: (_: string, url: string) => tarballUrlProblem(url, REGISTRY, 'upstreams.npm.registry'),
    },
  };
}

test('real legacy shapes are read and passed through unchanged by the version filter', () => {
  assert.ok(legacy.length >= 10);
  for (const [name, document] of legacy) {
    const { packument, unreadableVersions } = readPackument(document);
    assert.equal(unreadableVersions, {}, name);
    assert.equal([...npmPublishTimes(packument).versions.keys()].sort(), Object.keys(packument.versions).sort(), name);
    const { options, warnings, book } = filterOptions();
    assert.is(filterPackument(document, options), document, `${name}: nothing hidden, the document served as it came`);
    assert.equal(warnings, []);
    assert.is(book.get(name)?.failure, null);
  }
  const mime = readPackument(fixtures.mime).packument;
  assert.equal(mime.versions['1.0.0']!.dependencies, [], 'dependencies as an array stays an array');
});

/** A packument with the shapes the registry is known to serve besides the tidy ones. */
function oddPackument(): Record<string, unknown> {
  const old = new Date(NOW.getTime() - 400 * 86_400_000).toISOString();
  const dist = (v: string) => ({ tarball: `${REGISTRY}odd/-/odd-${v}.tgz`, shasum: 'a'.repeat(40) });
  return {
    name: 'odd',
    'dist-tags': { latest: '1.3.0', broken: 7 },
    versions: {
      '1.0.0': {
        name: 'odd',
        version: '1.0.0',
        dist: dist('1.0.0'),
        dependencies: ['a', 'b'],
        engines: ['node >=0.4'],
        bin: 'cli.js',
        repository: 'git://example/odd',
        maintainers: 'someone <s@example>',
        directories: [],
      },
      '1.1.0': { name: 'odd', version: '1.1.0', dist: dist('1.1.0') },
      '1.2.0': 'a string, not a manifest',
      '1.2.1': { name: 'odd', version: '1.2.1', dist: { tarball: 42 } },
      '1.3.0': { name: 'odd', version: '1.3.0', dist: dist('1.3.0') },
    },
    // 1.1.0 has no time; 0.0.1 has a time but no version (unpublished long ago)
    time: { created: old, modified: old, '0.0.1': old, '1.0.0': old, '1.2.0': old, '1.2.1': old, '1.3.0': old },
  };
}

test('shasum-only dist, missing and extra time entries: read; a version without a time is hidden for that reason', () => {
  const { packument, unreadableVersions } = readPackument(oddPackument());
  assert.equal(Object.keys(packument.versions), ['1.0.0', '1.1.0', '1.3.0']);
  assert.equal(packument['dist-tags'], { latest: '1.3.0' }, 'a tag that is not a version string is dropped');
  assert.equal(Object.keys(unreadableVersions), ['1.2.0', '1.2.1']);
  assert.match(unreadableVersions['1.2.0']!, /manifest is not an object/);
  assert.match(unreadableVersions['1.2.1']!, /dist\.tarball is not a string/);
  const times = npmPublishTimes(packument, unreadableVersions);
  assert.equal([...times.versions.keys()], ['1.0.0', '1.3.0']);
});

test('the filter hides only the unreadable and timeless versions, each with its reason', () => {
  const { options, book, warnings } = filterOptions();
  const served = filterPackument(oddPackument(), options) as { versions: Record<string, unknown>; 'dist-tags': Record<string, unknown> };
  assert.equal(Object.keys(served.versions), ['1.0.0', '1.3.0']);
  assert.equal((served.versions['1.0.0'] as { dependencies: unknown }).dependencies, ['a', 'b']);
  assert.equal(warnings, []);
  const record = book.get('odd')!;
  assert.is(record.failure, null);
  assert.match(
    record.versions.get('1.2.0')!.hiddenBy[0]!.message,
    /odd@1\.2\.0 is hidden because the registry's metadata for it cannot be read: its manifest is not an object/,
  );
  assert.is(record.versions.get('1.2.1')!.hiddenBy[0]!.check, 'metadata');
  assert.match(record.versions.get('1.1.0')!.hiddenBy[0]!.message, /no publish time/);
  assert.is(record.versions.get('1.3.0')!.shasum, 'a'.repeat(40));
  assert.is(record.versions.get('1.3.0')!.integrity, null);
});

test('the filter hides an unreadable version in report mode too (it can never be served)', () => {
  const { options } = filterOptions();
  const served = filterPackument(oddPackument(), { ...options, enforce: false }) as { versions: Record<string, unknown> };
  assert.equal(Object.keys(served.versions), ['1.0.0', '1.1.0', '1.3.0']);
});

test('decisions: the package is allowed; the unreadable version is denied saying why', () => {
  const { packument, unreadableVersions } = readPackument(oddPackument());
  const times = { state: 'known', value: npmPublishTimes(packument, unreadableVersions), source: 'test' } as const;
  assert.is(evaluate(factsFor('npm', 'odd', null, { publishTimes: times }), contextWith(), { now: NOW }).decision, 'allow');
  assert.is(evaluate(factsFor('npm', 'odd', '1.0.0', { publishTimes: times }), contextWith(), { now: NOW }).decision, 'allow');
  const broken = evaluate(factsFor('npm', 'odd', '1.2.0', { publishTimes: times }), contextWith(), { now: NOW });
  assert.is(broken.decision, 'deny');
  assert.match(
    broken.findings.find((f) => f.severity === 'deny')!.message,
    /odd 1\.2\.0 cannot be checked because the registry's metadata for it cannot be read: its manifest is not an object/,
  );
});

test('a version named "__proto__" stays a version: it never becomes the prototype others are looked up through', () => {
  const document = JSON.parse(
    '{"name":"proto","versions":{"__proto__":{"9.9.9":{"dist":{"tarball":"http://evil/x.tgz"}}},"1.0.0":{}},"time":{}}',
  ) as unknown;
  const { packument } = readPackument(document);
  assert.equal(Object.keys(packument.versions).sort(), ['1.0.0', '__proto__']);
  assert.is(packument.versions['9.9.9'], undefined);
});

test('what is not a packument at all is still refused as a whole', () => {
  for (const document of [null, [], { versions: {} }, { name: 'x', versions: 'lots' }, { name: 'x' }]) {
    assert.throws(
      () => readPackument(document),
      (error: unknown) => error instanceof PackumentShapeError,
      JSON.stringify(document),
    );
  }
  const unpublished = readPackument({ name: 'gone', time: { unpublished: { time: '2021-01-01T00:00:00Z' } } });
  assert.equal(unpublished.packument.versions, {});
  assert.equal(
    readPackument({ name: 'x', versions: {}, time: 'garbage' }).packument.time,
    {},
    'an unreadable time map reads as none (every version then lacks a time)',
  );
});

test.run();
