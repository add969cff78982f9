// Promise 2: nothing bad is stored or served as good. An artifact whose bytes do not match its
// metadata (flipped bits, cut short) is refused and never cached; the next clean download is
// served. A `depfence serve` killed with SIGKILL in the middle of a slow download leaves no
// partial artifact behind: restarted on the same data dir, it answers the same request with the
// verified artifact, and its stores hold only whole, verified entries.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cacache from 'cacache';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { ABBREVIATED, npmTarballStore, rawRequest, storedTarballs } from '../helpers/npm-firewall.js';
import { artifactStoreProblems, filesUnder, sleep, spawnServe, writeServeConfig, type ServeProcess } from './support.js';

const test = suite('reliability/artifacts');

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
let pypi: PypiUpstream;
let npm: NpmUpstream;
let firewall: TestFirewall;
let scratch: string;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-artifacts-'));
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  for (const name of ['flipped-lib', 'cut-lib', 'killed-lib'])
    pypi.addProject(name, { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  for (const name of ['flipped-js', 'cut-js', 'killed-js']) {
    npm.addPackage(name, {
      versions: { '1.0.0': { published: daysAgo(400), files: { 'payload.txt': `${name} `.repeat(2_000) } } },
      downloads: 50_000,
    });
  }
  firewall = await startFirewall({
    pypi,
    configure: (config) => {
      config.upstreams.npm = { ...config.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
      config.network.retries = 0;
    },
  });
});

test.after(async () => {
  await firewall?.close();
  await pypi?.close();
  await npm?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function pypiCache(dataDir: string): string {
  return join(dataDir, 'cache', 'artifacts');
}

/** The tarballs of `name` in the firewall's npm tarball store. */
async function npmStored(dataDir: string, name: string): Promise<string[]> {
  return (await storedTarballs(dataDir)).filter((path) => path.startsWith(`/${name}/-/`)).map((path) => path.split('/').at(-1)!);
}

test('PyPI: a file with flipped bits or cut short is refused (502), never cached; the next clean download is served', async () => {
  for (const [name, fault] of [
    ['flipped-lib', 'corrupt'],
    ['cut-lib', 'truncate'],
  ] as const) {
    const file = pypi.files(name, '1.0.0')[0]!;
    assert.is((await rawRequest(firewall.url, `/-/pypi/simple/${name}/`, { headers: { accept: SIMPLE_JSON } })).status, 200);
    const handle =
      fault === 'corrupt'
        ? pypi.corrupt({ match: pypi.route.file(file.filename) })
        : pypi.truncate({ match: pypi.route.file(file.filename) });
    const bad = await rawRequest(firewall.url, `/-/pypi/files/${name}/${file.filename}`);
    handle.remove();
    assert.ok(bad.status === 502 || bad.status === 403, `${name}: ${bad.status} ${bad.text}`);
    assert.match(
      String(bad.json?.error),
      fault === 'corrupt'
        ? /has sha256 [0-9a-f]{64}, but the index lists/
        : /broke off|is \d+ bytes, but the index lists|could not be fetched/,
    );
    assert.is(
      await cacache.get.info(pypiCache(firewall.dataDir), `depfence:artifact:sha256:${file.sha256}`),
      null,
      'nothing cached under the hash',
    );
    assert.equal(artifactStoreProblems(pypiCache(firewall.dataDir)), []);

    const good = await rawRequest(firewall.url, `/-/pypi/files/${name}/${file.filename}`);
    assert.is(good.status, 200, good.text);
    assert.is(sha256(good.body), file.sha256);
    const again = await rawRequest(firewall.url, `/-/pypi/files/${name}/${file.filename}`);
    assert.is(sha256(again.body), file.sha256, 'served from the cache, still whole');
  }
  assert.equal(artifactStoreProblems(pypiCache(firewall.dataDir)), []);
});

test('npm: a tarball with flipped bits or cut short is refused (502), never stored; the next clean download is served', async () => {
  for (const [name, fault] of [
    ['flipped-js', 'corrupt'],
    ['cut-js', 'truncate'],
  ] as const) {
    assert.is((await rawRequest(firewall.url, `/${name}`, { headers: { accept: ABBREVIATED } })).status, 200);
    const handle = fault === 'corrupt' ? npm.corrupt({ match: npm.route.tarball(name) }) : npm.truncate({ match: npm.route.tarball(name) });
    const bad = await rawRequest(firewall.url, `/${name}/-/${name}-1.0.0.tgz`);
    handle.remove();
    assert.is(bad.status, 502, `${name}: ${bad.text}`);
    assert.equal(await npmStored(firewall.dataDir, name), [], 'nothing stored');
    const good = await rawRequest(firewall.url, `/${name}/-/${name}-1.0.0.tgz`);
    assert.is(good.status, 200, good.text);
    assert.ok(good.body.equals(npm.tarball(name, '1.0.0').bytes));
    assert.equal(await npmStored(firewall.dataDir, name), [`${name}-1.0.0.tgz`]);
  }
  assert.equal(artifactStoreProblems(npmTarballStore(firewall.dataDir)), []);
});

test('SIGKILL during a slow download leaves no partial artifact; after a restart the verified artifact is served', async () => {
  const dataDir = join(scratch, 'data');
  const configFile = join(scratch, 'depfence.yaml');
  writeServeConfig(configFile, { pypi, npm, network: { timeout: '30s', retries: 0 } });
  const wheel = pypi.files('killed-lib', '1.0.0')[0]!;
  const tarball = npm.tarball('killed-js', '1.0.0');
  let serve: ServeProcess | undefined = await spawnServe(configFile, dataDir);
  try {
    assert.is((await fetch(`${serve.url}/-/pypi/simple/killed-lib/`)).status, 200);
    assert.is((await fetch(`${serve.url}/killed-js`, { headers: { accept: ABBREVIATED } })).status, 200);
    // A few bytes every 20 ms: each transfer takes seconds, and the kill comes in the middle.
    const slowFile = pypi.slow(20, { match: pypi.route.file(wheel.filename), chunkBytes: 8 });
    const slowTarball = npm.slow(20, { match: npm.route.tarball('killed-js'), chunkBytes: 8 });
    const inFlight = [
      fetch(`${serve.url}/-/pypi/files/killed-lib/${wheel.filename}`)
        .then((r) => r.arrayBuffer())
        .catch(() => null),
      fetch(`${serve.url}/killed-js/-/killed-js-1.0.0.tgz`)
        .then((r) => r.arrayBuffer())
        .catch(() => null),
    ];
    const deadline = Date.now() + 15_000;
    while ((slowFile.hits === 0 || slowTarball.hits === 0) && Date.now() < deadline) await sleep(20);
    assert.ok(slowFile.hits > 0 && slowTarball.hits > 0, 'both downloads started');
    await sleep(600);
    assert.ok(pypi.inFlight > 0 && npm.inFlight > 0, 'both downloads are still in progress at the kill');
    serve.child.kill('SIGKILL');
    assert.is(await serve.exited, 'SIGKILL');
    serve = undefined;
    await Promise.all(inFlight);
    slowFile.remove();
    slowTarball.remove();

    const leftovers = filesUnder(pypiCache(dataDir)).filter((file) => file.startsWith('tmp/'));
    console.log(`  after SIGKILL: ${leftovers.length} partial download file(s) in the artifact cache's tmp/`);
    assert.equal(
      filesUnder(pypiCache(dataDir)).filter((file) => file.startsWith('index-v5/')),
      [],
      'no index entry for the partial download',
    );
    assert.equal(await npmStored(dataDir, 'killed-js'), [], 'no tarball stored');
    assert.equal(
      filesUnder(npmTarballStore(dataDir)).filter((file) => file.startsWith('index-v5/')),
      [],
      'no index entry for the partial tarball',
    );

    serve = await spawnServe(configFile, dataDir);
    const file = await fetch(`${serve.url}/-/pypi/files/killed-lib/${wheel.filename}`);
    assert.is(file.status, 200);
    assert.is(sha256(Buffer.from(await file.arrayBuffer())), wheel.sha256, 'the verified wheel');
    const tgz = await fetch(`${serve.url}/killed-js/-/killed-js-1.0.0.tgz`);
    assert.is(tgz.status, 200);
    assert.ok(Buffer.from(await tgz.arrayBuffer()).equals(tarball.bytes), 'the verified tarball');
    for (const cache of [pypiCache(dataDir), npmTarballStore(dataDir)])
      assert.equal(artifactStoreProblems(cache), [], 'the stores hold only whole, verified entries (and no partial download)');
    assert.equal(await npmStored(dataDir, 'killed-js'), ['killed-js-1.0.0.tgz']);
  } finally {
    serve?.child.kill('SIGKILL');
  }
});

test.run();
