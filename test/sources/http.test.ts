import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DepfenceError } from '../../src/errors.js';
import { createHttpClient, UpstreamError, type HttpClientOptions } from '../../src/sources/http.js';
import { daysAgo, NpmUpstream } from '../fixtures/index.js';

const test = suite('sources/http');
let npm: NpmUpstream;
const cacheDirs: string[] = [];

const LABEL = { name: 'npm registry', setting: 'upstreams.npm.registry' };

function client(overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    timeoutMs: 2000,
    retries: 0,
    concurrency: 8,
    cacheTtlMs: 0,
    staleIfErrorMs: 0,
    maxResponseBytes: 1_000_000,
    cacheDir: null,
    retryDelayMs: 5,
    ...overrides,
  });
}

function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-http-cache-'));
  cacheDirs.push(dir);
  return dir;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected an UpstreamError, got an answer');
}

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('pkg', { versions: { '1.0.0': { published: daysAgo(100) } }, downloads: 10 });
  for (let i = 0; i < 10; i++) npm.addPackage(`pkg-${i}`, { versions: { '1.0.0': { published: daysAgo(100) } } });
});
test.after(async () => {
  await npm.close();
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});
test.before.each(() => {
  npm.clearFaults();
  npm.resetLog();
});

const url = () => `${npm.url}pkg`;

test('a 200 is parsed, validated and sent with the requested Accept header', async () => {
  const answer = await client().getJson(url(), { accept: 'application/json', validate: (b) => b as { name: string } });
  assert.is(answer.status, 200);
  assert.is(answer.body?.name, 'pkg');
  assert.equal([answer.fromCache, answer.stale], [false, false]);
  assert.is(npm.requests[0]!.accept, 'application/json');
  const text = await client().getText(url());
  assert.match(text.body!, /"name":"pkg"/);
});

test('a 404 is an answer (body null), not an error, and is not retried', async () => {
  const answer = await client({ retries: 2 }).getJson(`${npm.url}no-such-package`);
  assert.equal(answer, { status: 404, body: null, fromCache: false, stale: false });
  assert.is(npm.requests.length, 1);
});

test('timeout: a reply slower than timeoutMs is EUPSTREAM_TIMEOUT with a message saying what to do', async () => {
  npm.delay(500);
  const error = await failure(client({ timeoutMs: 100 }).getJson(url(), { upstream: LABEL }));
  assert.is(error.code, 'EUPSTREAM_TIMEOUT');
  assert.is(error.url, url());
  assert.is(
    error.message,
    `npm registry at ${url()} did not answer within 0.1s; check the network or upstreams.npm.registry (or raise network.timeout)`,
  );
});

test('timeout: a body trickling in byte by byte is cut off at timeoutMs', async () => {
  npm.slow(20);
  const error = await failure(client({ timeoutMs: 150 }).getJson(url()));
  assert.is(error.code, 'EUPSTREAM_TIMEOUT');
});

test('5xx is retried `retries` times, then fails as EUPSTREAM_STATUS', async () => {
  npm.failWith(500);
  const error = await failure(client({ retries: 2 }).getJson(url(), { upstream: LABEL }));
  assert.is(error.code, 'EUPSTREAM_STATUS');
  assert.is(error.status, 500);
  assert.match(error.message, /answered HTTP 500 \(3 attempts\); it may be down/);
  assert.is(npm.requests.length, 3);
});

test('a transient 503 and 429 are retried to success', async () => {
  npm.failWith(503, { times: 1 });
  npm.failWith(429, { times: 1 });
  const answer = await client({ retries: 2 }).getJson(url());
  assert.is(answer.status, 200);
  assert.is(npm.requests.length, 3);
});

test('other 4xx are never retried', async () => {
  npm.failWith(403);
  const error = await failure(client({ retries: 3 }).getJson(url(), { upstream: LABEL }));
  assert.is(error.code, 'EUPSTREAM_STATUS');
  assert.is(error.status, 403);
  assert.match(error.message, /check upstreams\.npm\.registry/);
  assert.is(npm.requests.length, 1);
});

test('dropped connections, truncated bodies and refused connections are EUPSTREAM_UNREACHABLE', async () => {
  npm.drop();
  assert.is((await failure(client({ retries: 1 }).getJson(url()))).code, 'EUPSTREAM_UNREACHABLE');
  assert.is(npm.requests.length, 2, 'a dropped connection is retried');
  npm.clearFaults();
  npm.truncate();
  assert.is((await failure(client().getJson(url()))).code, 'EUPSTREAM_UNREACHABLE');
  const closed = await NpmUpstream.start();
  await closed.close();
  const refused = await failure(client().getJson(`${closed.url}pkg`, { upstream: LABEL }));
  assert.is(refused.code, 'EUPSTREAM_UNREACHABLE');
  assert.match(refused.message, /ECONNREFUSED.*check the network or upstreams\.npm\.registry/);
});

test('malformed JSON and documents the validator rejects are EUPSTREAM_MALFORMED', async () => {
  npm.malformed();
  const garbled = await failure(client().getJson(url(), { upstream: LABEL }));
  assert.is(garbled.code, 'EUPSTREAM_MALFORMED');
  assert.match(
    garbled.message,
    /npm registry at .* sent a response depfence cannot read \(not JSON: .*\), so nothing from it is used; if upstreams\.npm\.registry is set to a proxy or mirror/,
  );
  npm.clearFaults();
  const rejected = await failure(
    client().getJson(url(), {
      validate: () => {
        throw new Error('versions: expected object');
      },
    }),
  );
  assert.is(rejected.code, 'EUPSTREAM_MALFORMED');
  assert.match(rejected.message, /\(versions: expected object\)/);
});

test('a response larger than maxResponseBytes is EUPSTREAM_TOO_LARGE and not retried', async () => {
  const error = await failure(client({ maxResponseBytes: 100, retries: 2 }).getJson(url()));
  assert.is(error.code, 'EUPSTREAM_TOO_LARGE');
  assert.match(error.message, /more than 100 bytes.*network\.maxResponseBytes/);
  assert.is(npm.requests.length, 1);
});

test('a compressed reply that inflates beyond maxResponseBytes is refused while reading', async () => {
  const { createServer } = await import('node:http');
  const { gzipSync } = await import('node:zlib');
  const bomb = gzipSync(JSON.stringify({ padding: 'x'.repeat(500_000) }));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length });
    res.end(bomb);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as import('node:net').AddressInfo;
    assert.ok(bomb.length < 10_000);
    const error = await failure(client({ maxResponseBytes: 10_000 }).getJson(`http://127.0.0.1:${port}/bomb`));
    assert.is(error.code, 'EUPSTREAM_TOO_LARGE');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('cache: within the TTL the upstream is not asked again; after it, it is', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 200 });
  assert.is((await http.getJson(url())).fromCache, false);
  const again = await http.getJson(url());
  assert.equal([again.status, again.fromCache, again.stale], [200, true, false]);
  assert.is((again.body as { name: string }).name, 'pkg');
  assert.is(npm.requests.length, 1, 'the second call was served from the cache');
  await sleep(250);
  const refreshed = await http.getJson(url());
  assert.is(refreshed.fromCache, true, 'revalidated: the upstream answered 304, so the stored copy stands');
  assert.is(npm.requests.length, 2);
});

test('cache: past the TTL the entry is revalidated with its ETag; a 304 renews it without a download', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 100 });
  await http.getJson(url());
  await sleep(150);
  const renewed = await http.getJson(url());
  assert.equal([renewed.status, renewed.fromCache], [200, true]);
  assert.is((renewed.body as { name: string }).name, 'pkg');
  assert.is(npm.requests.length, 2);
  assert.ok(String(npm.requests[1]!.headers['if-none-match']).startsWith('"'), 'the stored ETag was sent');
  assert.is((await http.getJson(url())).fromCache, true, 'the 304 renewed the TTL');
  assert.is(npm.requests.length, 2);
});

test('cache: a repeated read is answered from memory; the disk copy is written behind it for the next process', async () => {
  const dir = cacheDir();
  const http = client({ cacheDir: dir, cacheTtlMs: 10_000 });
  await http.getJson(url());
  rmSync(dir, { recursive: true, force: true });
  const again = await http.getJson(url());
  assert.equal([again.status, again.fromCache], [200, true], 'the disk copy is gone: memory answered');
  assert.is(npm.requests.length, 1);

  const written = cacheDir();
  const writer = client({ cacheDir: written, cacheTtlMs: 10_000 });
  await writer.getJson(url());
  await writer.settled();
  const fromDisk = await client({ cacheDir: written, cacheTtlMs: 10_000 }).getJson(url());
  assert.is(fromDisk.fromCache, true, 'once the writer has settled, another client on the same directory finds the copy on disk');
});

test('cache: memory holds at most memoryCacheBytes; what it let go is read back from disk', async () => {
  const dir = cacheDir();
  const http = client({ cacheDir: dir, cacheTtlMs: 10_000, memoryCacheBytes: 8_000 });
  for (let i = 0; i < 10; i++) await http.getJson(`${npm.url}pkg-${i}`);
  await http.settled(); // the disk copies are written behind the answers
  rmSync(dir, { recursive: true, force: true });
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => http.getJson(`${npm.url}pkg-${i}`)));
  const remembered = answers.filter((answer) => answer.fromCache).length;
  assert.ok(remembered > 0 && remembered < 10, `only the most recent few are in memory (${remembered} of 10)`);
  assert.ok(answers.at(-1)!.fromCache, 'the most recently used one is');
});

test('redirects: followed on the same origin, refused to any other host', async () => {
  const other = await NpmUpstream.start();
  other.addPackage('pkg', { versions: { '1.0.0': { published: daysAgo(100) } } });
  try {
    npm.inject({ kind: 'status', status: 302, headers: { location: `${npm.registryUrl}pkg` } }, { match: '/moved', times: 1 });
    const moved = await client().getJson(`${npm.registryUrl}moved`, { upstream: LABEL });
    assert.is((moved.body as { name: string }).name, 'pkg');
    for (const location of [
      `${other.registryUrl}pkg`,
      `http://localhost:${new URL(npm.registryUrl).port}/pkg`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      npm.inject({ kind: 'status', status: 302, headers: { location } }, { match: '/hop', times: 1 });
      const error = await failure(client().getJson(`${npm.registryUrl}hop`, { upstream: LABEL }));
      assert.match(error.message, /redirected to .* which is not on .*follows redirects only on the registry/);
    }
    assert.is(other.requests.length, 0, 'the other host was never asked');
  } finally {
    await other.close();
  }
});

test('cache: the cache is per Accept header, and a null cacheDir caches nothing', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 10_000 });
  await http.getJson(url(), { accept: 'application/json' });
  await http.getJson(url(), { accept: 'application/vnd.npm.install-v1+json' });
  assert.is(npm.requests.length, 2);
  const uncached = client({ cacheDir: null, cacheTtlMs: 10_000 });
  await uncached.getJson(url());
  await uncached.getJson(url());
  assert.is(npm.requests.length, 4);
});

test('stale-if-error: past the TTL a failing refresh serves the stale copy, until TTL + staleIfError', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 100, staleIfErrorMs: 300 });
  await http.getJson(url());
  await sleep(150);
  npm.failWith(500);
  const stale = await http.getJson(url());
  assert.equal([stale.status, stale.fromCache, stale.stale], [200, true, true]);
  assert.is(npm.requests.length, 2, 'the refresh was attempted');
  await sleep(300);
  const error = await failure(http.getJson(url()));
  assert.is(error.code, 'EUPSTREAM_STATUS', 'beyond TTL + staleIfError the failure shows');
});

test('cache: 404s are cached for the shorter notFound TTL', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 10_000, notFoundTtlMs: 200 });
  const missing = `${npm.url}not-yet-published`;
  assert.is((await http.getJson(missing)).status, 404);
  assert.is((await http.getJson(missing)).fromCache, true);
  await http.getJson(url());
  assert.is(npm.requests.length, 2);
  await sleep(250);
  npm.addPackage('not-yet-published', { versions: { '1.0.0': { published: new Date() } } });
  const now = await http.getJson(missing);
  assert.equal([now.status, now.fromCache], [200, false]);
  assert.is((await http.getJson(url())).fromCache, true, 'found documents keep the long TTL');
  npm.removePackage('not-yet-published');
});

test('cache: a malformed reply is not cached', async () => {
  const http = client({ cacheDir: cacheDir(), cacheTtlMs: 10_000 });
  npm.malformed({ times: 1 });
  await failure(http.getJson(url()));
  const answer = await http.getJson(url());
  assert.is(answer.fromCache, false);
  assert.is(npm.requests.length, 2);
});

test('concurrency: no more than `concurrency` requests are in flight at the upstream', async () => {
  npm.delay(40);
  const http = client({ concurrency: 3 });
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => http.getJson(`${npm.url}pkg-${i}`)));
  assert.ok(answers.every((a) => a.status === 200));
  assert.is(npm.requests.length, 10);
  assert.is(npm.maxInFlight, 3);
});

test('concurrency: a retry waits without its slot, so other requests go out in the meantime', async () => {
  npm.failWith(503, { match: npm.route.packument('pkg'), times: 1 });
  const http = client({ concurrency: 1, retries: 1, retryDelayMs: 300 });
  const first = http.getJson(url());
  while (npm.requests.length === 0) await sleep(5);
  const answers = await Promise.all([first, http.getJson(`${npm.url}pkg-1`)]);
  assert.ok(answers.every((a) => a.status === 200));
  assert.equal(
    npm.requests.map((r) => r.path),
    ['/pkg', '/pkg-1', '/pkg'],
  );
});

test('concurrent requests for the same URL share one upstream request', async () => {
  npm.delay(30);
  const http = client();
  const answers = await Promise.all(Array.from({ length: 5 }, () => http.getJson(url())));
  assert.ok(answers.every((a) => a.status === 200));
  assert.is(npm.requests.length, 1);
});

// One retry policy (sources/upstream.ts) for the metadata client and every streamed download.
test('retry policy: a download is retried on 503 like a metadata request, and a 404 is an answer', async () => {
  const file = join(cacheDir(), 'feed.json');
  npm.failWith(503, { times: 2 });
  const downloaded = await client({ retries: 2 }).download(url(), file, { maxBytes: 1_000_000, upstream: LABEL });
  assert.is(downloaded.status, 200);
  assert.is((JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name, 'pkg');
  assert.is(npm.requests.length, 3);
  npm.resetLog();
  const missing = await client({ retries: 2 }).download(`${npm.url}no-such-package`, file, { maxBytes: 1_000_000, upstream: LABEL });
  assert.is(missing.status, 404);
  assert.is(npm.requests.length, 1, 'a 404 is not retried');
});

test('retry policy: a Retry-After within the timeout is waited for; a longer one is not (the error stands at once)', async () => {
  npm.inject({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { times: 1 });
  const started = Date.now();
  const answer = await client({ retries: 1, retryDelayMs: 1 }).getJson(url());
  assert.is(answer.status, 200);
  assert.ok(Date.now() - started >= 900, 'waited for the Retry-After second');
  npm.resetLog();
  npm.inject({ kind: 'status', status: 503, headers: { 'retry-after': '3600' } }, { times: 1 });
  const error = await failure(client({ retries: 3 }).getJson(url(), { upstream: LABEL }));
  assert.is(error.status, 503);
  assert.is(error.retryAfterMs, 3_600_000);
  assert.is(npm.requests.length, 1);
});

test('retry policy: the waits before retries add up to at most the timeout; a retry that would go past it is not made', async () => {
  npm.inject({ kind: 'status', status: 503, headers: { 'retry-after': '1' } }, { times: 3 });
  const started = Date.now();
  const error = await failure(client({ retries: 3, timeoutMs: 1_500 }).getJson(url(), { upstream: LABEL }));
  assert.is(error.status, 503);
  assert.is(npm.requests.length, 2, 'one Retry-After second was waited for; a second one would have passed the 1.5 s timeout');
  assert.ok(Date.now() - started < 1_900, 'the error stood as soon as the next wait did not fit (a second wait would end past 2 s)');
  npm.clearFaults();
  npm.resetLog();
  npm.failWith(503, { times: 2 });
  const answer = await client({ retries: 3, timeoutMs: 1_000, retryDelayMs: 300 }).getJson(url());
  assert.is(answer.status, 200, 'backoff waits of 300 and 600 ms fit in the 1 s timeout');
  npm.resetLog();
  npm.failWith(503, { times: 3 });
  await failure(client({ retries: 3, timeoutMs: 1_000, retryDelayMs: 300 }).getJson(url()));
  assert.is(npm.requests.length, 3, 'a third backoff wait (1.2 s in all) is not made');
});

test('errors carry code, message and hint: the hint says what to do next and ends the message', async () => {
  npm.failWith(403);
  const error = await failure(client().getJson(url(), { upstream: LABEL }));
  assert.instance(error, DepfenceError);
  assert.is(error.summary, `npm registry at ${url()} answered HTTP 403`);
  assert.is(error.hint, 'check upstreams.npm.registry and any credentials it needs');
  assert.is(error.message, `${error.summary}; ${error.hint}`);
});

test('a streamed download follows a redirect only on the same origin, as getJson does (and is not retried)', async () => {
  const other = await NpmUpstream.start();
  other.addPackage('pkg', { versions: { '1.0.0': { published: daysAgo(100) } } });
  const file = join(cacheDir(), 'moved.json');
  try {
    npm.inject({ kind: 'status', status: 302, headers: { location: `${npm.registryUrl}pkg` } }, { match: '/moved', times: 1 });
    assert.is((await client().download(`${npm.registryUrl}moved`, file, { maxBytes: 1_000_000, upstream: LABEL })).status, 200);
    npm.resetLog();
    npm.inject({ kind: 'status', status: 302, headers: { location: `${other.registryUrl}pkg` } }, { match: '/hop' });
    const error = await failure(client({ retries: 3 }).download(`${npm.registryUrl}hop`, file, { maxBytes: 1_000_000, upstream: LABEL }));
    assert.match(error.message, /redirected to .* which is not on .*follows redirects only on the registry/);
    assert.is(npm.requests.length, 1);
    assert.is(other.requests.length, 0, 'the other host was never asked');
  } finally {
    await other.close();
  }
});

test.run();
