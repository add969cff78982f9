// Promise 4: hostile upstreams are contained. Pages and packuments that are huge (over
// network.maxResponseBytes, or a small gzip that inflates past it), deeply nested, with thousands
// of versions, or that trickle in byte by byte are answered in bounded time and memory, with a
// clear 502/403 when they cannot be used. File and tarball URLs on hosts the configuration does not
// name (another server on this machine, link-local and private addresses, `file:`, the firewall
// itself, a public host nobody configured) are never fetched: a second fixture server stands in for
// "the other host" and serves the right bytes, and must receive no request at all.
//
// The firewall runs as `depfence serve` in a child process, so its memory is its own to measure.
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo, type FixtureServer, type RouteMatch } from '../fixtures/index.js';
import { createHttpClient, UpstreamError } from '../../src/sources/http.js';
import { rssOf, spawnServe, writeServeConfig, type ServeProcess } from './support.js';

const test = suite('reliability/hostile-upstream');

const LIMIT = 4 * 1024 * 1024;
const MIB = 1024 * 1024;
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

let scratch: string;
let pypi: PypiUpstream;
let npm: NpmUpstream;
/** Stands in for every host the configuration does not name; serves whatever is asked, correctly. */
let elsewhere: NpmUpstream;
let serve: ServeProcess;

/** Make `fixture` answer `match` with this body (200) until removed. */
function answerWith(fixture: FixtureServer, match: RouteMatch, body: string | Buffer, headers: Record<string, string>) {
  return fixture.inject({ kind: 'status', status: 200, body, headers }, { match });
}

/** A GET on a connection of its own (no keep-alive reuse), timed. */
function timed(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: Buffer; text: string; ms: number }> {
  const started = Date.now();
  const { hostname, port } = new URL(serve.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: bytes, text: bytes.toString('utf8'), ms: Date.now() - started });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => reject(new Error(`${path}: ${error.message}; depfence serve said:\n${serve.output().slice(-3000)}`)));
    req.end(body);
  });
}

function errorOf(text: string): string {
  try {
    return String((JSON.parse(text) as { error?: unknown }).error);
  } catch {
    return text;
  }
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-hostile-up-'));
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  elsewhere = await NpmUpstream.start();
  const configFile = join(scratch, 'depfence.yaml');
  writeServeConfig(configFile, { pypi, npm, network: { timeout: '2s', retries: 1, maxResponseBytes: LIMIT } });
  serve = await spawnServe(configFile, join(scratch, 'data'));
});

test.after(async () => {
  serve?.child.kill('SIGKILL');
  await Promise.all([pypi?.close(), npm?.close(), elsewhere?.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

test('a page or packument over network.maxResponseBytes is refused (502/403) without being read into memory', async () => {
  pypi.addProject('huge-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('huge-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  // 96 MiB of valid JSON: a firewall that read it all would grow by at least that much.
  const padding = 'x'.repeat(96 * MIB);
  const page = Buffer.from(JSON.stringify({ meta: { 'api-version': '1.1', padding }, name: 'huge-lib', files: [] }));
  const packument = Buffer.from(JSON.stringify({ ...npm.packument('huge-js'), padding }));
  const faults = [
    answerWith(pypi, pypi.route.simple('huge-lib'), page, { 'content-type': SIMPLE_JSON }),
    answerWith(npm, npm.route.packument('huge-js'), packument, { 'content-type': 'application/json' }),
  ];
  const before = rssOf(serve.pid)!;
  try {
    const pageAnswer = await timed('/-/pypi/simple/huge-lib/', { accept: SIMPLE_JSON });
    assert.ok(pageAnswer.status === 502 || pageAnswer.status === 403, `${pageAnswer.status} ${pageAnswer.text}`);
    assert.match(errorOf(pageAnswer.text), new RegExp(`sent more than ${LIMIT} bytes`));
    const npmAnswer = await timed('/huge-js', { accept: ABBREVIATED });
    assert.ok(npmAnswer.status === 502 || npmAnswer.status === 403, `${npmAnswer.status} ${npmAnswer.text}`);
    assert.match(errorOf(npmAnswer.text), new RegExp(`sent more than ${LIMIT} bytes`));
    assert.ok(pageAnswer.ms < 10_000 && npmAnswer.ms < 10_000, `answered in ${pageAnswer.ms} and ${npmAnswer.ms} ms`);
  } finally {
    for (const fault of faults) fault.remove();
  }
  const after = rssOf(serve.pid)!;
  assert.ok(after.peak - before.peak < 48 * MIB, `peak RSS grew by ${Math.round((after.peak - before.peak) / MIB)} MiB`);
});

test('a small gzip that inflates past the limit (a decompression bomb) is refused without inflating it all', async () => {
  pypi.addProject('bomb-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('bomb-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  // ~ 400 kB on the wire, 400 MiB inflated.
  const inflated = (prefix: string) => Buffer.concat([Buffer.from(prefix), Buffer.alloc(400 * MIB, 0x20), Buffer.from('}')]);
  const pageBomb = gzipSync(inflated(`{"meta":{"api-version":"1.1"},"name":"bomb-lib","files":[]`), { level: 9 });
  const packumentBomb = gzipSync(inflated(JSON.stringify(npm.packument('bomb-js')).slice(0, -1)), { level: 9 });
  assert.ok(pageBomb.length < 2 * MIB);
  const faults = [
    answerWith(pypi, pypi.route.simple('bomb-lib'), pageBomb, { 'content-type': SIMPLE_JSON, 'content-encoding': 'gzip' }),
    answerWith(npm, npm.route.packument('bomb-js'), packumentBomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
  ];
  const before = rssOf(serve.pid)!;
  try {
    const pageAnswer = await timed('/-/pypi/simple/bomb-lib/', { accept: SIMPLE_JSON });
    assert.ok(pageAnswer.status === 502 || pageAnswer.status === 403, `${pageAnswer.status} ${pageAnswer.text}`);
    assert.match(errorOf(pageAnswer.text), /more than \d+ bytes/);
    const npmAnswer = await timed('/bomb-js', { accept: ABBREVIATED });
    assert.ok(npmAnswer.status === 502 || npmAnswer.status === 403, `${npmAnswer.status} ${npmAnswer.text}`);
    assert.match(errorOf(npmAnswer.text), /more than \d+ bytes/);
  } finally {
    for (const fault of faults) fault.remove();
  }
  const after = rssOf(serve.pid)!;
  assert.ok(after.peak - before.peak < 64 * MIB, `peak RSS grew by ${Math.round((after.peak - before.peak) / MIB)} MiB`);
});

test('the HTTP client stops reading a body of unknown length at the limit', async () => {
  // A response without Content-Length, streamed until the client hangs up.
  let sent = 0;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && sent < 512 * MIB) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const http = createHttpClient({
    timeoutMs: 10_000,
    retries: 0,
    concurrency: 1,
    cacheDir: null,
    cacheTtlMs: 0,
    staleIfErrorMs: 0,
    maxResponseBytes: LIMIT,
  });
  try {
    const error = await http.getJson(`http://127.0.0.1:${port}/endless`).then(
      () => null,
      (e: unknown) => e,
    );
    assert.instance(error, UpstreamError);
    assert.is((error as UpstreamError).code, 'EUPSTREAM_TOO_LARGE');
    assert.ok(sent < 64 * MIB, `the server got to send ${Math.round(sent / MIB)} MiB`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('deeply nested JSON is answered in bounded time without breaking the server', async () => {
  const depth = 200_000;
  const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
  pypi.addProject('nested-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('nested-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  const file = pypi.files('nested-lib', '1.0.0')[0]!;
  const page = `{"meta":{"api-version":"1.1","nest":${nested}},"name":"nested-lib","files":[{"filename":"${file.filename}","url":"${pypi.fileUrl(file.filename)}","hashes":{"sha256":"${file.sha256}"},"upload-time":"${daysAgo(400).toISOString()}","extra":${nested}}]}`;
  const doc = npm.packument('nested-js') as { versions: Record<string, Record<string, unknown>> };
  const packument = JSON.stringify(doc).replace('"description":', `"nest":${nested},"description":`);
  const faults = [
    answerWith(pypi, pypi.route.simple('nested-lib'), page, { 'content-type': SIMPLE_JSON }),
    answerWith(npm, npm.route.packument('nested-js'), packument, { 'content-type': 'application/json' }),
  ];
  try {
    for (const [path, accept] of [
      ['/-/pypi/simple/nested-lib/', SIMPLE_JSON],
      ['/nested-js', ABBREVIATED],
      ['/nested-js', 'application/json'],
    ] as const) {
      const answer = await timed(path, { accept });
      assert.ok([200, 403, 502].includes(answer.status), `${path}: ${answer.status} ${answer.text.slice(0, 300)}`);
      if (answer.status !== 200) assert.match(errorOf(answer.text), /^depfence: /);
      assert.ok(answer.ms < 15_000, `${path} answered in ${answer.ms} ms`);
    }
  } finally {
    for (const fault of faults) fault.remove();
  }
  assert.is((await timed('/-/depfence/health')).status, 200, 'the server is still up');
});

test('thousands of versions are served, complete, in bounded time and memory', async () => {
  const count = 3_000;
  pypi.addProject('many-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('many-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  const uploaded = daysAgo(400).toISOString();
  const files = Array.from({ length: count }, (_, i) => ({
    filename: `many_lib-1.${i}.0-py3-none-any.whl`,
    url: pypi.fileUrl(`many_lib-1.${i}.0-py3-none-any.whl`),
    hashes: { sha256: createHash('sha256').update(String(i)).digest('hex') },
    'upload-time': uploaded,
    size: 1000,
  }));
  const page = JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'many-lib', versions: files.map((_, i) => `1.${i}.0`), files });
  const base = npm.packument('many-js') as Record<string, unknown> & {
    versions: Record<string, Record<string, unknown>>;
    time: Record<string, string>;
  };
  const template = base.versions['1.0.0']!;
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: uploaded, modified: uploaded };
  for (let i = 0; i < count; i++) {
    const version = `1.${i}.0`;
    versions[version] = {
      ...template,
      version,
      _id: `many-js@${version}`,
      dist: { ...(template.dist as object), tarball: `${npm.url}many-js/-/many-js-${version}.tgz` },
    };
    time[version] = uploaded;
  }
  const packument = JSON.stringify({ ...base, versions, time, 'dist-tags': { latest: `1.${count - 1}.0` } });
  assert.ok(packument.length < LIMIT, `${packument.length} bytes`);
  const faults = [
    answerWith(pypi, pypi.route.simple('many-lib'), page, { 'content-type': SIMPLE_JSON }),
    answerWith(npm, npm.route.packument('many-js'), packument, { 'content-type': 'application/json' }),
  ];
  const before = rssOf(serve.pid)!;
  try {
    const pageAnswer = await timed('/-/pypi/simple/many-lib/', { accept: SIMPLE_JSON });
    assert.is(pageAnswer.status, 200, pageAnswer.text.slice(0, 300));
    assert.is((JSON.parse(pageAnswer.text) as { files: unknown[] }).files.length, count);
    const full = await timed('/many-js', { accept: 'application/json' });
    assert.is(full.status, 200, full.text.slice(0, 300));
    assert.is(Object.keys((JSON.parse(full.text) as { versions: object }).versions).length, count);
    const abbreviated = await timed('/many-js', { accept: ABBREVIATED });
    assert.is(abbreviated.status, 200);
    assert.is(Object.keys((JSON.parse(abbreviated.text) as { versions: object }).versions).length, count);
    assert.ok(pageAnswer.ms < 15_000 && full.ms < 15_000, `answered in ${pageAnswer.ms} and ${full.ms} ms`);
  } finally {
    for (const fault of faults) fault.remove();
  }
  const after = rssOf(serve.pid)!;
  assert.ok(after.peak - before.peak < 256 * MIB, `peak RSS grew by ${Math.round((after.peak - before.peak) / MIB)} MiB`);
});

test('a page or packument that trickles in byte by byte gets a 403 within the timeout, not a hang', async () => {
  pypi.addProject('slow-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('slow-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('slow-later-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  const faults = [
    pypi.slow(50, { match: pypi.route.simple('slow-lib') }),
    pypi.slow(50, { match: pypi.route.json('slow-lib') }),
    npm.slow(50, { match: npm.route.packument('slow-js') }),
  ];
  try {
    const page = await timed('/-/pypi/simple/slow-lib/', { accept: SIMPLE_JSON });
    assert.is(page.status, 403, page.text);
    assert.match(errorOf(page.text), /did not answer within 2s/);
    const packument = await timed('/slow-js', { accept: ABBREVIATED });
    assert.is(packument.status, 403, packument.text);
    assert.match(errorOf(packument.text), /did not answer within 2s/);
    // 2 s per attempt, two attempts, a retry delay: well under 15 s.
    assert.ok(page.ms < 15_000 && packument.ms < 15_000, `answered in ${page.ms} and ${packument.ms} ms`);

    // The decision's facts are already cached (a pre-flight asked): the registry's uplink is served
    // from that same fetch, so the trickle that starts afterwards is never met.
    const decide = await timed(
      '/-/depfence/decide',
      { 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ packages: [{ ecosystem: 'npm', name: 'slow-later-js', version: null }] }),
    );
    assert.is(decide.status, 200);
    const trickle = npm.slow(50, { match: npm.route.packument('slow-later-js') });
    faults.push(trickle);
    const later = await timed('/slow-later-js', { accept: ABBREVIATED });
    assert.is(later.status, 200, later.text.slice(0, 300));
    assert.is(trickle.hits, 0, 'one fetch per packument: the facts and the served document share it');
    assert.ok(later.ms < 5_000, `answered in ${later.ms} ms`);
  } finally {
    for (const fault of faults) fault.remove();
  }
});

test('file and tarball URLs on hosts the config does not name are never fetched; the other host gets no request', async () => {
  const firewallPort = new URL(serve.url).port;
  const other = elsewhere.port;
  const hostile = (file: string) => [
    `http://127.0.0.1:${other}/${file}`,
    `http://localhost:${other}/${file}`,
    `http://2130706433:${other}/${file}`,
    `http://[::ffff:127.0.0.1]:${other}/${file}`,
    `http://169.254.169.254/latest/meta-data/${file}`,
    `http://10.0.0.1/${file}`,
    `http://192.168.1.1/${file}`,
    `file:///etc/${file}`,
    `http://127.0.0.1:${firewallPort}/-/depfence/health?${file}`,
    `http://public-mirror.example.com/${file}`,
    `ftp://127.0.0.1:${other}/${file}`,
  ];
  // Whatever the other host is asked, it answers with bytes that would pass every check.
  pypi.addProject('ssrf-lib', {
    releases: Object.fromEntries(
      ['1.0.0', ...hostile('x').map((_, i) => `1.0.${i + 1}`), '2.0.0'].map((v) => [v, { uploaded: daysAgo(400) }]),
    ),
    downloads: 50_000,
  });
  npm.addPackage('ssrf-js', {
    versions: Object.fromEntries(
      ['1.0.0', ...hostile('x').map((_, i) => `1.0.${i + 1}`), '2.0.0'].map((v) => [v, { published: daysAgo(400) }]),
    ),
    downloads: 50_000,
  });
  const pypiFiles = ['1.0.0', ...hostile('x').map((_, i) => `1.0.${i + 1}`)].map((version) => pypi.files('ssrf-lib', version)[0]!);
  elsewhere.inject({ kind: 'status', status: 200, body: pypiFiles[0]!.bytes, headers: { 'content-type': 'application/octet-stream' } });

  const urls = (file: string) => [`http://127.0.0.1:${other}/files/${file}`, ...hostile(file)];
  const good = pypi.files('ssrf-lib', '2.0.0')[0]!;
  const pageFiles = pypiFiles.map((file, i) => ({
    filename: file.filename,
    url: urls(file.filename)[i]!,
    hashes: { sha256: file.sha256 },
    'upload-time': daysAgo(400).toISOString(),
    size: file.bytes.length,
    'core-metadata': {
      sha256: createHash('sha256')
        .update(file.metadata ?? '')
        .digest('hex'),
    },
  }));
  pageFiles.push({
    filename: good.filename,
    url: pypi.fileUrl(good.filename),
    hashes: { sha256: good.sha256 },
    'upload-time': daysAgo(400).toISOString(),
    size: good.bytes.length,
    'core-metadata': { sha256: createHash('sha256').update(good.metadata!).digest('hex') },
  });
  const page = JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'ssrf-lib', files: pageFiles });

  const doc = npm.packument('ssrf-js') as { versions: Record<string, { dist: { tarball: string } }> };
  const npmVersions = ['1.0.0', ...hostile('x').map((_, i) => `1.0.${i + 1}`)];
  npmVersions.forEach((version, i) => {
    doc.versions[version]!.dist.tarball = urls(`ssrf-js-${version}.tgz`)[i]!;
  });
  const faults = [
    answerWith(pypi, pypi.route.simple('ssrf-lib'), page, { 'content-type': SIMPLE_JSON }),
    answerWith(npm, npm.route.packument('ssrf-js'), JSON.stringify(doc), { 'content-type': 'application/json' }),
  ];
  try {
    const pageAnswer = await timed('/-/pypi/simple/ssrf-lib/', { accept: SIMPLE_JSON });
    assert.is(pageAnswer.status, 200, pageAnswer.text);
    assert.equal(
      (JSON.parse(pageAnswer.text) as { files: { filename: string }[] }).files.map((f) => f.filename),
      [good.filename],
      'only the file on the index host is listed',
    );
    for (const file of pypiFiles) {
      for (const suffix of ['', '.metadata']) {
        const answer = await timed(`/-/pypi/files/ssrf-lib/${file.filename}${suffix}`);
        assert.is(answer.status, 403, `${file.filename}${suffix}: ${answer.status} ${answer.text}`);
        assert.match(errorOf(answer.text), /is not served: .*not fetched|is not served: .*scheme/);
      }
    }
    const served = await timed(`/-/pypi/files/ssrf-lib/${good.filename}`);
    assert.is(served.status, 200);
    assert.is(createHash('sha256').update(served.body).digest('hex'), good.sha256);

    for (const accept of [ABBREVIATED, 'application/json']) {
      const packument = await timed('/ssrf-js', { accept });
      assert.is(packument.status, 200, packument.text);
      assert.equal(
        Object.keys((JSON.parse(packument.text) as { versions: object }).versions),
        ['2.0.0'],
        `only the version on the registry is listed (${accept})`,
      );
    }
    for (const version of npmVersions) {
      for (const file of [`ssrf-js-${version}.tgz`]) {
        const answer = await timed(`/ssrf-js/-/${file}`);
        assert.is(answer.status, 403, `${file}: ${answer.status} ${answer.text}`);
        assert.match(errorOf(answer.text), /hosted at|not on the registry|does not fetch/);
      }
      const manifest = await timed(`/ssrf-js/${version}`);
      assert.ok(manifest.status === 403 || manifest.status === 404, `${version}: ${manifest.status}`);
    }
    const audit = readFileSync(join(scratch, 'data', 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; version: string | null; findings: { check: string }[] });
    for (const version of npmVersions) {
      assert.ok(
        audit.some(
          (record) =>
            record.name === 'ssrf-js' && record.version === version && record.findings.some((finding) => finding.check === 'source'),
        ),
        `ssrf-js@${version} logged as hidden for its tarball host`,
      );
    }
    const tarball = await timed('/ssrf-js/-/ssrf-js-2.0.0.tgz');
    assert.is(tarball.status, 200, tarball.text);
    assert.ok(tarball.body.equals(npm.tarball('ssrf-js', '2.0.0').bytes));
  } finally {
    for (const fault of faults) fault.remove();
  }
  assert.equal(
    elsewhere.requests.map((r) => r.path),
    [],
    'the other host received no request',
  );
});

test('a redirect from the upstream to another host is not followed, for files and tarballs', async () => {
  pypi.addProject('hop-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('hop-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  const file = pypi.files('hop-lib', '1.0.0')[0]!;
  elsewhere.clearFaults();
  elsewhere.resetLog();
  elsewhere.inject({ kind: 'status', status: 200, body: file.bytes, headers: { 'content-type': 'application/octet-stream' } });
  const faults = [
    pypi.inject(
      { kind: 'status', status: 302, body: '', headers: { location: `${elsewhere.url}files/${file.filename}` } },
      { match: pypi.route.file(file.filename) },
    ),
    npm.inject(
      { kind: 'status', status: 302, body: '', headers: { location: `${elsewhere.url}hop-js/-/hop-js-1.0.0.tgz` } },
      { match: npm.route.tarball('hop-js') },
    ),
  ];
  try {
    const fileAnswer = await timed(`/-/pypi/files/hop-lib/${file.filename}`);
    assert.is(fileAnswer.status, 502, fileAnswer.text);
    assert.match(errorOf(fileAnswer.text), /redirected .* a host depfence does not fetch files from/);
    const tarball = await timed('/hop-js/-/hop-js-1.0.0.tgz');
    assert.is(tarball.status, 502, tarball.text);
    assert.match(errorOf(tarball.text), /redirected .* a host depfence does not fetch files from/, tarball.text);
  } finally {
    for (const fault of faults) fault.remove();
  }
  assert.equal(
    elsewhere.requests.map((r) => r.path),
    [],
    'the other host received no request',
  );
});

test('after all of it the server still serves normally', async () => {
  pypi.addProject('calm-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('calm-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  assert.is((await timed('/-/depfence/health')).status, 200);
  assert.is((await timed('/-/pypi/simple/calm-lib/', { accept: SIMPLE_JSON })).status, 200);
  assert.is((await timed('/calm-js', { accept: ABBREVIATED })).status, 200);
  const peak = rssOf(serve.pid)!.peak;
  console.log(`  hostile upstreams: firewall peak RSS ${Math.round(peak / MIB)} MiB`);
});

test.run();
