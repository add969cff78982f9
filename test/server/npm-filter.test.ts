// The npm side's pure parts: the version filter's steps and its failure mode, request paths,
// integrity checks and the confusion routing patterns (checked with Verdaccio's own matcher).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixDistTags, highestStableAtMost } from '../../src/server/npm/filter/dist-tags.js';
import { hideVersions } from '../../src/server/npm/filter/hide-versions.js';
import { keepTimeConsistent } from '../../src/server/npm/filter/time.js';
import { VerdictBook } from '../../src/server/npm/filter/verdict-book.js';
import { filterPackument, judgePackument, type VersionFilterOptions } from '../../src/server/npm/filter/version-filter.js';
import type { Packument } from '../../src/server/npm/filter/packument.js';
import { checkIntegrity } from '../../src/protocol/npm/integrity.js';
import { parseNpmPath, versionFromFilename } from '../../src/protocol/npm/paths.js';
import { internalPatterns, packageRules, routedInternally } from '../../src/server/npm/confusion-routing.js';
import { internalNameRule } from '../../src/policy/index.js';
import { blocklistsOf, contextWith, daysAgo, defaultConfig, NOW } from '../helpers/policy.js';

const require = createRequire(import.meta.url);
const { authUtils } = require('@verdaccio/core') as {
  authUtils: { getMatchedPackagesSpec(name: string, packages: object): { proxy?: string } | undefined };
};

function packument(versions: Record<string, Date | null>, tags: Record<string, string>): Packument {
  const time: Record<string, string> = { created: daysAgo(500).toISOString(), modified: NOW.toISOString() };
  for (const [version, published] of Object.entries(versions)) if (published) time[version] = published.toISOString();
  return {
    name: 'pkg',
    'dist-tags': tags,
    versions: Object.fromEntries(
      Object.keys(versions).map((v) => [
        v,
        { name: 'pkg', version: v, dist: { tarball: `http://up/pkg/-/pkg-${v}.tgz`, integrity: `sha512-${v}` } },
      ]),
    ),
    time,
    _distfiles: Object.fromEntries(Object.keys(versions).map((v) => [`pkg-${v}.tgz`, { url: `http://up/pkg/-/pkg-${v}.tgz` }])),
  };
}

function options(changes: Partial<VersionFilterOptions> = {}): VersionFilterOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    context: contextWith(),
    now: () => NOW,
    enforce: true,
    book: new VerdictBook(),
    warn: (message) => warnings.push(message),
    warnings,
    ...changes,
  };
}

test('fixDistTags: drops tags of hidden versions and moves latest down to the highest stable one', () => {
  const remaining = new Set(['1.0.0', '1.1.0', '2.0.0-rc.1', '3.0.0']);
  assert.equal(fixDistTags({ latest: '2.0.0', next: '2.0.0-rc.1', old: '0.9.0' }, remaining), {
    tags: { next: '2.0.0-rc.1', latest: '1.1.0' },
    latestRemoved: false,
  });
  assert.equal(fixDistTags({ latest: '1.1.0' }, remaining), { tags: { latest: '1.1.0' }, latestRemoved: false });
  assert.equal(fixDistTags({ latest: '0.5.0' }, remaining), { tags: {}, latestRemoved: true });
  assert.equal(fixDistTags({ beta: '9.9.9' }, remaining), { tags: {}, latestRemoved: false });
  assert.is(highestStableAtMost(['1.0.0', '1.2.0-beta', 'not-semver', '1.1.9'], '1.2.0'), '1.1.9');
});

test('hideVersions and keepTimeConsistent keep versions, distfiles and time in step', () => {
  const doc = packument({ '1.0.0': daysAgo(400), '1.1.0': daysAgo(1) }, { latest: '1.1.0' });
  const hidden = hideVersions(doc, new Set(['1.1.0']));
  assert.equal(Object.keys(hidden.versions), ['1.0.0']);
  assert.equal(Object.keys(hidden._distfiles!), ['pkg-1.0.0.tgz']);
  assert.equal(Object.keys(doc.versions), ['1.0.0', '1.1.0'], 'the input is not changed');
  assert.equal(Object.keys(keepTimeConsistent(doc.time, new Set(['1.0.0']))!), ['created', 'modified', '1.0.0']);
});

test('filterPackument: hides young, timeless and malicious versions and records why', () => {
  const opts = options({ context: contextWith({ blocklists: blocklistsOf([{ ecosystem: 'npm', name: 'pkg', versions: ['1.0.1'] }]) }) });
  const doc = packument({ '1.0.0': daysAgo(400), '1.0.1': daysAgo(300), '1.0.2': null, '1.1.0': daysAgo(1) }, { latest: '1.1.0' });
  const result = filterPackument(doc, opts) as Packument;
  assert.equal(Object.keys(result.versions), ['1.0.0']);
  assert.equal(result['dist-tags'], { latest: '1.0.0' });
  assert.equal(Object.keys(result.time!), ['created', 'modified', '1.0.0']);
  const record = opts.book.get('PKG')!;
  assert.equal(
    record.versions.get('1.0.1')!.hiddenBy.map((f) => f.check),
    ['malicious'],
  );
  assert.match(record.versions.get('1.0.2')!.hiddenBy[0]!.message, /has no publish time/);
  assert.equal(
    record.versions.get('1.1.0')!.hiddenBy.map((f) => f.check),
    ['age'],
  );
  assert.is(record.versions.get('1.0.0')!.file, 'pkg-1.0.0.tgz');
  assert.is(record.versions.get('1.0.0')!.integrity, 'sha512-1.0.0');
});

test('filterPackument: denied ranges are hidden; an allow entry lifts the age gate but not a malicious version', () => {
  const config = defaultConfig();
  config.deny = [{ ecosystem: 'npm', name: 'pkg', versions: '>=1.0.1 <1.1.0', reason: 'pending review' }];
  config.allow = [{ ecosystem: 'npm', name: 'pkg', versions: '>=1.1.0', reason: 'vetted' }];
  const context = contextWith({ config, blocklists: blocklistsOf([{ ecosystem: 'npm', name: 'pkg', versions: ['1.2.0'] }]) });
  const doc = packument({ '1.0.0': daysAgo(400), '1.0.1': daysAgo(300), '1.1.0': daysAgo(1), '1.2.0': daysAgo(1) }, { latest: '1.2.0' });
  const opts = options({ context });
  const result = filterPackument(doc, opts) as Packument;
  assert.equal(Object.keys(result.versions), ['1.0.0', '1.1.0']);
  assert.equal(result['dist-tags'], { latest: '1.1.0' });
  assert.match(opts.book.get('pkg')!.versions.get('1.0.1')!.hiddenBy[0]!.message, /on the deny list: pending review/);
  assert.equal(
    opts.book
      .get('pkg')!
      .versions.get('1.2.0')!
      .hiddenBy.map((f) => f.check),
    ['malicious'],
  );
});

test('filterPackument: with no stable version left at or below latest, there is no latest, and the book says so', () => {
  const doc = packument({ '1.0.0': daysAgo(1), '2.0.0-beta': daysAgo(50) }, { latest: '1.0.0', beta: '2.0.0-beta' });
  const opts = options();
  const result = filterPackument(doc, opts) as Packument;
  assert.equal(Object.keys(result.versions), ['2.0.0-beta']);
  assert.equal(result['dist-tags'], { beta: '2.0.0-beta' });
  assert.ok(opts.book.get('pkg')!.latestRemoved, 'the packument route removes the latest Verdaccio fills in');
});

test('filterPackument: report mode hides nothing but records the verdicts', () => {
  const opts = options({ enforce: false });
  const doc = packument({ '1.0.0': daysAgo(400), '1.1.0': daysAgo(1) }, { latest: '1.1.0' });
  assert.is(filterPackument(doc, opts), doc);
  assert.is(opts.book.get('pkg')!.versions.get('1.1.0')!.hiddenBy.length, 1);
});

test('filterPackument: any failure hides every version, warns and records the reason', () => {
  const exploding = contextWith({
    blocklists: {
      lookup: () => {
        throw new Error('kaboom');
      },
    },
  });
  const opts = options({ context: exploding });
  const result = filterPackument(packument({ '1.0.0': daysAgo(400) }, { latest: '1.0.0' }), opts) as Packument;
  assert.is(
    judgePackument(packument({ '1.0.0': daysAgo(400) }, {}), options({ context: exploding, enforce: false })).hidden instanceof Set,
    true,
    'report mode hides nothing, this too',
  );
  assert.equal(result.versions, {});
  assert.equal(result['dist-tags'], {});
  assert.match(opts.warnings[0]!, /pkg: depfence's version filter failed \(kaboom\), so every version is hidden/);
  assert.match(opts.book.get('pkg')!.failure!, /kaboom/);
  for (const broken of [null, 'text', { name: 'x' }, { name: 'x', versions: { '1.0.0': 'no' } }]) {
    const out = filterPackument(broken, options()) as Packument;
    assert.equal(out.versions, {});
  }
});

test('parseNpmPath: packuments, versions and tarballs in both scope spellings', () => {
  assert.equal(parseNpmPath('/left-pad'), { kind: 'packument', name: 'left-pad' });
  assert.equal(parseNpmPath('/@scope%2fname'), { kind: 'packument', name: '@scope/name' });
  assert.equal(parseNpmPath('/@scope%2Fname'), { kind: 'packument', name: '@scope/name' });
  assert.equal(parseNpmPath('/@scope/name'), { kind: 'packument', name: '@scope/name' });
  assert.equal(parseNpmPath('/left-pad/1.0.0'), { kind: 'version', name: 'left-pad', version: '1.0.0' });
  assert.equal(parseNpmPath('/@scope/name/-/name-1.0.0.tgz'), { kind: 'tarball', name: '@scope/name', filename: 'name-1.0.0.tgz' });
  assert.equal(parseNpmPath('/@scope%2fname/-/name-1.0.0.tgz'), { kind: 'tarball', name: '@scope/name', filename: 'name-1.0.0.tgz' });
  assert.equal(parseNpmPath('/JSONStream'), { kind: 'packument', name: 'JSONStream' });
  assert.equal(parseNpmPath('/-/v1/search'), { kind: 'endpoint', rest: 'v1/search' });
  assert.equal(parseNpmPath('/'), { kind: 'root' });
  for (const bad of [
    '/a/../b',
    '/a/./b',
    '/foo%2fbar',
    '/foo%5cbar',
    '/x/-/..%2fy.tgz',
    '/%00x',
    '/a//b',
    '/bad name',
    `/${'x'.repeat(2000)}`,
    '/@s%2fa%2fb',
  ]) {
    assert.is(parseNpmPath(bad).kind, 'bad', bad);
  }
  assert.is(versionFromFilename('@scope/name', 'name-1.2.3-beta.1.tgz'), '1.2.3-beta.1');
  assert.is(versionFromFilename('name', 'other-1.0.0.tgz'), null);
});

test('checkIntegrity: the strongest digest decides; shasum when there is no integrity', () => {
  const bytes = Buffer.from('tarball bytes');
  const sha512 = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  assert.equal(checkIntegrity(bytes, sha512, null), { ok: true, algorithm: 'sha512' });
  assert.is(checkIntegrity(Buffer.from('other'), sha512, sha1).ok, false);
  assert.is(
    checkIntegrity(bytes, `sha1-${createHash('sha1').update(bytes).digest('base64')} sha512-AAAA`, null).ok,
    false,
    'sha512 wins over sha1',
  );
  assert.equal(checkIntegrity(bytes, null, sha1), { ok: true, algorithm: 'sha1' });
  assert.is(checkIntegrity(bytes, null, null).ok, false);
});

test('confusion routing: Verdaccio sends exactly the reserved names to the internal uplink', () => {
  const rules = { scopes: ['mycorp'], names: ['corp-secret', 'odd(name)'], prefixes: ['mycorp-'] };
  const config = defaultConfig();
  config.policy.confusion.npm = rules;
  const packages = packageRules(rules, true);
  assert.equal(internalPatterns(rules), ['@mycorp/*', 'corp-secret', 'odd\\(name\\)', 'mycorp-*']);
  for (const name of [
    '@mycorp/x',
    'corp-secret',
    'odd(name)',
    'mycorp-tool',
    'left-pad',
    '@other/x',
    'corp-secret-2',
    'not-mycorp-x',
    '@mycorp-other/x',
  ]) {
    const reserved = internalNameRule('npm', name, config.policy.confusion) !== null;
    const proxy = authUtils.getMatchedPackagesSpec(name, packages)?.proxy;
    assert.is(proxy, reserved ? 'internal' : 'public', name);
  }
  assert.is(authUtils.getMatchedPackagesSpec('@mycorp/x', packageRules(rules, false))?.proxy, undefined);
  assert.ok(routedInternally('@mycorp/x'));
  assert.not.ok(routedInternally('MyCorp-Tool'));
});

test.run();
