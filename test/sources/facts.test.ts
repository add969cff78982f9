import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Fact, PackageFacts } from '../../src/policy/types.js';
import { gatherFacts, gatherManyFacts, type FactSources, type SnapshotLookup } from '../../src/sources/facts.js';
import { Breaker } from '../../src/sources/breaker.js';
import { createHttpClient, type HttpClientOptions } from '../../src/sources/http.js';
import { NpmUpstream, PypiUpstream } from '../fixtures/index.js';

const test = suite('sources/facts');
let npm: NpmUpstream;
let pypi: PypiUpstream;

const T0 = new Date('2023-02-01T00:00:00.000Z');
const T1 = new Date('2025-01-01T00:00:00.000Z');

const snapshot: SnapshotLookup = {
  floor: 1000,
  covers: 'npm packages with at least 1000 downloads last month, as of 2025-01-01',
  count: (name) => ({ 'left-pad': 50_000, requests: 9_000_000 })[name],
};

function sources(overrides: Partial<FactSources> = {}, network: Partial<HttpClientOptions> = {}): FactSources {
  return {
    http: createHttpClient({
      timeoutMs: 2000,
      retries: 0,
      concurrency: 8,
      cacheTtlMs: 0,
      staleIfErrorMs: 0,
      maxResponseBytes: 1_000_000,
      cacheDir: null,
      retryDelayMs: 5,
      ...network,
    }),
    upstreams: {
      npm: { registry: npm.registryUrl, downloads: npm.downloadsUrl },
      pypi: { simple: pypi.simpleUrl, json: pypi.jsonUrl, downloads: pypi.downloadsUrl },
    },
    snapshot,
    offline: false,
    ...overrides,
  };
}

/** Runs `body` with an HTTP cache directory of its own, removed afterwards. */
async function withCacheDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-facts-cache-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function known<T>(fact: Fact<T>): T {
  if (fact.state !== 'known') throw new Error(`expected a known fact, got ${JSON.stringify(fact)}`);
  return fact.value;
}

function unavailableReason(fact: Fact<unknown>): string {
  if (fact.state !== 'unavailable') throw new Error(`expected an unavailable fact, got ${JSON.stringify(fact)}`);
  return fact.reason;
}

test.before(async () => {
  [npm, pypi] = await Promise.all([NpmUpstream.start(), PypiUpstream.start()]);
  npm.addPackage('left-pad', { versions: { '1.0.0': { published: T0 }, '1.3.0': { published: T1 } }, downloads: 60_000 });
  npm.addPackage('@Acme/Widget', { versions: { '1.0.0': { published: T1 } }, downloads: 3 });
  pypi.addProject('Requests', { releases: { '2.0.0': { uploaded: T0 }, '2.32.0': { uploaded: T1 } }, downloads: 12_345_678 });
});
test.after(async () => {
  await Promise.all([npm.close(), pypi.close()]);
});
test.before.each(() => {
  for (const upstream of [npm, pypi]) {
    upstream.clearFaults();
    upstream.resetLog();
  }
});

test('online npm: existence and publish times from the packument, downloads from the live API', async () => {
  const facts = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: '1.3.0' }, sources());
  assert.equal(
    { ...facts, exists: undefined, downloads: undefined, publishTimes: undefined, history: undefined },
    {
      ecosystem: 'npm',
      name: 'left-pad',
      canonicalName: 'left-pad',
      version: '1.3.0',
      exists: undefined,
      downloads: undefined,
      publishTimes: undefined,
      history: undefined,
    },
  );
  assert.equal(
    known(facts.history!).releases.map((release) => release.version),
    ['1.0.0', '1.3.0'],
  );
  assert.is(known(facts.history!).latest, '1.3.0');
  assert.is(known(facts.exists), true);
  assert.equal(known(facts.downloads), { exactly: 60_000 });
  assert.is((facts.downloads as { source: string }).source, 'npm downloads API, last month');
  const times = known(facts.publishTimes);
  assert.equal(times.created, T0);
  assert.equal(times.versions.get('1.3.0'), T1);
  assert.match((facts.exists as { source: string }).source, /npm registry http:\/\/127\.0\.0\.1/);
});

test('online: metadata and downloads are fetched concurrently', async () => {
  npm.delay(60);
  await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources());
  assert.is(npm.requests.length, 2);
  assert.is(npm.maxInFlight, 2);
});

test('online PyPI: PEP 503 canonical name, JSON API times, pypistats count, history from the simple page', async () => {
  const facts = await gatherFacts({ ecosystem: 'pypi', name: 'REQUESTS', version: null }, sources());
  assert.is(facts.canonicalName, 'requests');
  assert.is(known(facts.exists), true);
  assert.equal(known(facts.downloads), { exactly: 12_345_678 });
  assert.equal([...known(facts.publishTimes).versions.keys()], ['2.0.0', '2.32.0']);
  // The simple page gives the history its files' PEP 740 provenance (the JSON API has none).
  assert.equal(pypi.requests.map((r) => r.path).sort(), ['/api/packages/requests/recent', '/pypi/requests/json', '/simple/requests/']);
  const history = facts.history;
  assert.match(
    history?.state === 'known' ? history.source : JSON.stringify(history),
    /simple index .*\/simple\/requests\/ \(files and their PEP 740 provenance\)/,
  );
});

test('scoped npm names: canonical is lowercase, the registry is asked with the name as written', async () => {
  const facts = await gatherFacts({ ecosystem: 'npm', name: '@Acme/Widget', version: null }, sources());
  assert.is(facts.canonicalName, '@acme/widget');
  assert.is(known(facts.exists), true);
  assert.ok(npm.requests.some((r) => r.path === '/@Acme%2fWidget'));
});

test('an unknown name: exists is known false, publish times unavailable, downloads 0', async () => {
  const facts = await gatherFacts({ ecosystem: 'npm', name: 'lefft-pad', version: null }, sources());
  assert.is(known(facts.exists), false);
  assert.match(unavailableReason(facts.publishTimes), /has no package named lefft-pad/);
  assert.equal(known(facts.downloads), { exactly: 0 });
});

test('a registry slower than the timeout: metadata facts are unavailable with a clear reason', async () => {
  npm.delay(400, { match: npm.route.packument() });
  const facts = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources({}, { timeoutMs: 100 }));
  const reason = unavailableReason(facts.exists);
  assert.match(
    reason,
    /^npm registry at http:\/\/127\.0\.0\.1:\d+\/left-pad did not answer within 0\.1s; check the network or upstreams\.npm\.registry/,
  );
  assert.is(unavailableReason(facts.publishTimes), reason);
  assert.equal(known(facts.downloads), { exactly: 60_000 }, 'the downloads API still answered');
});

test('500s are retried, then the facts are unavailable (never an allow, never a throw)', async () => {
  pypi.failWith(500, { match: pypi.route.json() });
  const facts = await gatherFacts({ ecosystem: 'pypi', name: 'requests', version: '2.32.0' }, sources({}, { retries: 2 }));
  assert.match(unavailableReason(facts.exists), /PyPI JSON API at .* answered HTTP 500 \(3 attempts\)/);
  assert.is(pypi.requestsTo(pypi.route.json()).length, 3);
});

test('malformed and oversize replies become unavailable facts', async () => {
  npm.malformed({ match: npm.route.packument() });
  const garbled = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources());
  assert.match(unavailableReason(garbled.publishTimes), /sent a response depfence cannot read/);
  npm.clearFaults();
  const huge = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources({}, { maxResponseBytes: 200 }));
  assert.match(unavailableReason(huge.exists), /more than 200 bytes/);
});

test('downloads API down: the snapshot stands in for a name it lists, and says so', async () => {
  npm.failWith(503, { match: npm.route.downloads() });
  const listed = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources());
  assert.equal(known(listed.downloads), { exactly: 50_000 });
  assert.match(
    (listed.downloads as { source: string }).source,
    /^download snapshot \(npm packages with at least 1000 .*\), because the live npm downloads API failed: .*HTTP 503/,
  );
  const unlisted = await gatherFacts({ ecosystem: 'npm', name: '@Acme/Widget', version: null }, sources());
  assert.match(unavailableReason(unlisted.downloads), /npm downloads API at .* answered HTTP 503/);
  const noSnapshot = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, sources({ snapshot: null }));
  assert.is(noSnapshot.downloads.state, 'unavailable');
});

test('a downloads API that does not answer is asked once, then left alone while the snapshot stands in', async () => {
  const breaker = new Breaker(60_000);
  const hanging = npm.delay(3_000, { match: npm.route.downloads() });
  const withBreaker = sources({ downloadsBreaker: breaker }, { timeoutMs: 1_000 });
  const first = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, withBreaker);
  assert.match((first.downloads as { source: string }).source, /because the live npm downloads API failed: .*did not answer within 1s/);
  const asked = npm.requestsTo(npm.route.downloads()).length;
  const started = Date.now();
  const second = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: '1.0.0' }, withBreaker);
  assert.ok(Date.now() - started < 800, `no second wait for the 1 s timeout (took ${Date.now() - started} ms)`);
  assert.is(npm.requestsTo(npm.route.downloads()).length, asked, 'not asked again');
  assert.equal(known(second.downloads), { exactly: 50_000 });
  assert.match((second.downloads as { source: string }).source, /not asked again for \d+s/);
  const unlisted = await gatherFacts({ ecosystem: 'npm', name: '@Acme/Widget', version: null }, withBreaker);
  assert.is(unlisted.downloads.state, 'unavailable', 'a name the snapshot does not list still fails closed');
  hanging.remove();
  breaker.reset(npm.downloadsUrl);
  const recovered = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, withBreaker);
  assert.is((recovered.downloads as { source: string }).source, 'npm downloads API, last month');
});

test('many packages at once against a dead downloads API: one probe waits out the timeout, the rest fall back at once', async () => {
  const breaker = new Breaker(60_000);
  const hanging = npm.delay(3_000, { match: npm.route.downloads() });
  const withBreaker = sources({ downloadsBreaker: breaker }, { timeoutMs: 300, concurrency: 4 });
  const before = npm.requestsTo(npm.route.downloads()).length;
  const started = Date.now();
  const all = await gatherManyFacts(
    Array.from({ length: 40 }, () => ({ ecosystem: 'npm' as const, name: 'left-pad', version: null })),
    withBreaker,
  );
  assert.ok(Date.now() - started < 2_400, `40 packages took ${Date.now() - started} ms: one 0.3 s timeout, not ten (3 s)`);
  assert.is(npm.requestsTo(npm.route.downloads()).length - before, 1, 'the API was asked once');
  assert.ok(all.every((facts) => known(facts.downloads) !== null));
  hanging.remove();
});

test('a rate-limiting downloads API (429) is left alone too, after one request', async () => {
  const breaker = new Breaker(60_000);
  npm.failWith(429, { match: npm.route.downloads() });
  const withBreaker = sources({ downloadsBreaker: breaker }, { concurrency: 4, retries: 0 });
  const before = npm.requestsTo(npm.route.downloads()).length;
  const all = await gatherManyFacts(
    Array.from({ length: 20 }, () => ({ ecosystem: 'npm' as const, name: 'left-pad', version: null })),
    withBreaker,
  );
  assert.is(npm.requestsTo(npm.route.downloads()).length - before, 1);
  assert.match((all[19]!.downloads as { source: string }).source, /HTTP 429.*not asked again for \d+s/);
  npm.clearFaults();
});

test('a server error about one package leaves an API that answers open; three in a row, or one before it ever answered, close it', async () => {
  const breaker = new Breaker(60_000);
  const withBreaker = sources({ downloadsBreaker: breaker }, { retries: 0 });
  const widget = { ecosystem: 'npm' as const, name: '@Acme/Widget', version: null };
  const leftPad = { ecosystem: 'npm' as const, name: 'left-pad', version: null };
  assert.equal(known((await gatherFacts(leftPad, withBreaker)).downloads), { exactly: 60_000 });
  const oneBroken = npm.failWith(503, { match: npm.route.downloads('@Acme/Widget') });
  assert.is((await gatherFacts(widget, withBreaker)).downloads.state, 'unavailable');
  assert.is(breaker.openReason(npm.downloadsUrl), null, 'one 503 about one package does not close the API');
  assert.equal(known((await gatherFacts(leftPad, withBreaker)).downloads), { exactly: 60_000 }, 'the others are still asked');
  oneBroken.remove();
  const allBroken = npm.failWith(503, { match: npm.route.downloads() });
  for (let i = 0; i < 3; i += 1) await gatherFacts(widget, withBreaker);
  assert.match(breaker.openReason(npm.downloadsUrl) ?? '', /HTTP 503.*not asked again for \d+s/, 'three in a row close it');
  const fresh = new Breaker(60_000);
  await gatherFacts(leftPad, sources({ downloadsBreaker: fresh }, { retries: 0 }));
  assert.ok(fresh.openReason(npm.downloadsUrl) !== null, 'a 503 to the first request closes an API that never answered');
  allBroken.remove();
});

test('an open breaker sends nothing, but the counts already cached still stand (fresh, then stale within staleIfError)', async () => {
  await withCacheDir(async (dir) => {
    const breaker = new Breaker(60_000);
    const leftPad = { ecosystem: 'npm' as const, name: 'left-pad', version: null };
    const fresh = sources({ downloadsBreaker: breaker }, { cacheDir: dir, cacheTtlMs: 60_000, staleIfErrorMs: 60_000 });
    assert.equal(known((await gatherFacts(leftPad, fresh)).downloads), { exactly: 60_000 });
    breaker.trip(npm.downloadsUrl, 'the npm downloads API did not answer');
    const asked = npm.requestsTo(npm.route.downloads()).length;
    const cachedCount = (await gatherFacts(leftPad, fresh)).downloads;
    assert.equal(known(cachedCount), { exactly: 60_000 }, "the cached live count, not the snapshot's 50,000");
    assert.is((cachedCount as { source: string }).source, 'npm downloads API, last month');
    const stale = (await gatherFacts(leftPad, { ...fresh, downloadsTtlMs: 0 })).downloads;
    assert.equal(known(stale), { exactly: 60_000 });
    assert.match((stale as { source: string }).source, /cached copy/);
    const unlisted = await gatherFacts({ ecosystem: 'npm', name: '@Acme/Widget', version: null }, fresh);
    assert.match(
      unavailableReason(unlisted.downloads),
      /did not answer \(not asked again for \d+s\)/,
      'nothing cached, not in the snapshot: fails closed',
    );
    assert.is(npm.requestsTo(npm.route.downloads()).length, asked, 'the API was not asked');
    assert.match(
      breaker.openReason(npm.downloadsUrl) ?? '',
      /not asked again for (59|60)s/,
      'answering from the cache neither closes nor extends the breaker',
    );
  });
});

test("a young scoped package brings its scope's most-used package as a fact; an old or unscoped one does not", async () => {
  const day = 86_400_000;
  const by = (publisher: string, daysAgo: number) => ({
    published: new Date(Date.now() - daysAgo * day),
    manifest: { _npmUser: { name: publisher } },
  });
  npm.addPackage('@fixturescope/core', {
    versions: { '1.0.0': by('maintainer-m', 700), '2.0.0': by('maintainer-m', 30) },
    downloads: 9_000,
  });
  npm.addPackage('@fixturescope/binary-newplat', { versions: { '2.0.0': by('maintainer-m', 4) }, downloads: null });
  const leaders = { fixturescope: { name: '@fixturescope/core', downloads: 2_000_000 } } as Record<
    string,
    { name: string; downloads: number }
  >;
  const withLeaders = sources({ scopeLeader: (scope) => leaders[scope] });
  const young = await gatherFacts({ ecosystem: 'npm', name: '@fixturescope/binary-newplat', version: '2.0.0' }, withLeaders);
  const sibling = known(young.scope!);
  assert.is(sibling.name, '@fixturescope/core');
  assert.is(sibling.downloads, 2_000_000);
  assert.equal(
    sibling.history.releases.map((release) => release.publisher),
    ['maintainer-m', 'maintainer-m'],
  );
  assert.is(
    (await gatherFacts({ ecosystem: 'npm', name: '@fixturescope/core', version: null }, withLeaders)).scope,
    undefined,
    'the leader itself',
  );
  assert.is((await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, withLeaders)).scope, undefined, 'unscoped');
});

test('offline: nothing is asked upstream; downloads come from the snapshot, unlisted names are below its floor', async () => {
  const offline = sources({ offline: true });
  const [listed, unlisted] = await gatherManyFacts(
    [
      { ecosystem: 'npm', name: 'left-pad', version: '1.0.0' },
      { ecosystem: 'npm', name: 'brand-new-thing', version: null },
    ],
    offline,
  );
  assert.is(npm.requests.length, 0);
  assert.equal(listed!.exists, { state: 'not-evaluated', reason: 'offline mode: the upstream registry is not asked' });
  assert.is(listed!.publishTimes.state, 'not-evaluated');
  assert.equal(listed!.downloads, { state: 'known', value: { exactly: 50_000 }, source: `download snapshot (${snapshot.covers})` });
  assert.equal(known(unlisted!.downloads), { fewerThan: 1000 });
  assert.match(
    (unlisted!.downloads as { source: string }).source,
    /download snapshot \(npm packages with at least 1000 downloads last month, as of 2025-01-01\): not listed, so fewer than 1000/,
  );
  const bare = await gatherFacts({ ecosystem: 'pypi', name: 'x', version: null }, sources({ offline: true, snapshot: null }));
  assert.match(unavailableReason(bare.downloads), /offline mode and no pypi download snapshot/);
});

test('gatherManyFacts: results in order; versions of one package share its requests', async () => {
  const specs = [
    { ecosystem: 'npm', name: 'left-pad', version: '1.0.0' },
    { ecosystem: 'pypi', name: 'requests', version: null },
    { ecosystem: 'npm', name: 'left-pad', version: '1.3.0' },
  ] as const;
  const facts: PackageFacts[] = await gatherManyFacts(specs, sources());
  assert.equal(
    facts.map((f) => [f.name, f.version]),
    [
      ['left-pad', '1.0.0'],
      ['requests', null],
      ['left-pad', '1.3.0'],
    ],
  );
  assert.is(npm.requestsTo(npm.route.packument('left-pad')).length, 1);
  assert.is(npm.requestsTo(npm.route.downloads('left-pad')).length, 1);
});

test('stale metadata is labelled as such in the source', async () => {
  await withCacheDir(async (dir) => {
    const cached = sources({}, { cacheDir: dir, cacheTtlMs: 20, staleIfErrorMs: 60_000 });
    await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, cached);
    await new Promise((resolve) => setTimeout(resolve, 30));
    npm.failWith(502);
    const facts = await gatherFacts({ ecosystem: 'npm', name: 'left-pad', version: null }, cached);
    assert.is(known(facts.exists), true);
    assert.match((facts.exists as { source: string }).source, /cached copy/);
    assert.match((facts.downloads as { source: string }).source, /cached copy/);
  });
});

test.run();
