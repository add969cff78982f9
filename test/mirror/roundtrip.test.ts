// The air-gapped round trip with the real tools: `depfence mirror` resolves a requirements.txt
// (pip download) and a package-lock.json through an in-process firewall in front of the fixture
// upstreams, `depfence import` puts the bundle into a fresh data dir, the upstreams are stopped,
// and the real pip and `npm ci` install from `serve --offline`, which serves exactly what was
// vetted and still runs the policy. The slow steps run once, in `before`, concurrently where
// they can; each test then checks one outcome.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readManifestOnly } from '../../src/mirror/bundle-read.js';
import type { BundleManifest } from '../../src/protocol/bundle/manifest.js';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { isolatedEnv, runCliInProcess, spawnServe, type CliResult } from '../helpers/cli.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { makeProject, runNpm, type NpmRun, type TestProject } from '../helpers/npm-client.js';
import { PYTHON, pipInstall, type PipResult } from '../helpers/pip.js';
import { startOfflineServer, treeFingerprint, writeFixtureConfig } from './helpers.js';

const test = suite('mirror/roundtrip');
const old = { uploaded: daysAgo(400) };
const POPULAR = 5_000_000;

let pypi: PypiUpstream;
let npm: NpmUpstream;
let scratch: string;
let dataDir: string;
let offline: TestFirewall;
let project: TestProject;
const bundle = () => join(scratch, 'vetted.tgz');
const runs: Record<string, CliResult> = {};
let manifest: BundleManifest;
let pip: PipResult;
let pipMissing: PipResult;
let npmCi: NpmRun;
let reimportFingerprints: [string, string];
let fixtureFacts: { wheel: { filename: string; sha256: string }; leftPad: string; leftPadPublished: string; widgetKit: string };

function lockfile(): Record<string, unknown> {
  const entry = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
    version,
    resolved: npm.tarballUrl(name, version),
    integrity: npm.tarball(name, version).integrity,
    ...extra,
  });
  return {
    name: 'offline-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'offline-app', version: '1.0.0', dependencies: { 'widget-kit': '^2.0.0' } },
      'node_modules/left-pad': entry('left-pad', '1.1.0'),
      'node_modules/widget-kit': entry('widget-kit', '2.0.0', { dependencies: { 'left-pad': '^1.0.0' } }),
    },
  };
}

test.before(async () => {
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  pypi.addProject('app-core', { releases: { '1.0.0': { ...old, dependencies: ['app-util>=1'] } }, downloads: 50_000 });
  pypi.addProject('app-util', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('fresh-lib', { releases: { '1.0.0': old, '1.1.0': { uploaded: new Date(Date.now() - 3_600_000) } }, downloads: 50_000 });
  pypi.addProject('not-mirrored', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('reqeusts', { releases: { '1.0.0': old }, downloads: 40 });
  const leftPadPublished = daysAgo(300);
  npm.addPackage('left-pad', {
    versions: {
      '1.0.0': { published: daysAgo(400) },
      '1.1.0': { published: leftPadPublished, files: { 'index.js': 'module.exports = "left-pad 1.1.0";\n' } },
    },
    downloads: POPULAR,
  });
  npm.addPackage('widget-kit', {
    versions: { '2.0.0': { published: daysAgo(200), dependencies: { 'left-pad': '^1.0.0' } } },
    downloads: POPULAR,
  });
  npm.addPackage('not-mirrored', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  const wheel = pypi.files('app-core', '1.0.0')[0]!;
  fixtureFacts = {
    wheel: { filename: wheel.filename, sha256: wheel.sha256 },
    leftPad: npm.tarball('left-pad', '1.1.0').integrity,
    leftPadPublished: leftPadPublished.toISOString(),
    widgetKit: npm.tarball('widget-kit', '2.0.0').integrity,
  };

  scratch = mkdtempSync(join(tmpdir(), 'depfence-mirror-rt-'));
  dataDir = join(scratch, 'offline-data');
  const config = writeFixtureConfig(join(scratch, 'depfence.yaml'), { pypi, npm });
  writeFileSync(join(scratch, 'requirements.txt'), 'app-core>=1.0\nfresh-lib\n');
  writeFileSync(join(scratch, 'package-lock.json'), JSON.stringify(lockfile(), null, 2));
  writeFileSync(join(scratch, 'denied.txt'), 'reqeusts\napp-util\n');
  mkdirSync(join(scratch, 'app'));
  writeFileSync(
    join(scratch, 'app', 'package.json'),
    JSON.stringify({ name: 'offline-app', version: '1.0.0', dependencies: { 'widget-kit': '^2.0.0' } }),
  );
  const env = isolatedEnv();
  const cli = (args: string[]) => runCliInProcess(args, { env, cwd: scratch });

  const keys = generateKeyPairSync('ed25519');
  writeFileSync(join(scratch, 'mirror-key.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(scratch, 'mirror-key.pub.pem'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
  runs.mirror = await cli([
    'mirror',
    '--out',
    bundle(),
    '--from',
    'requirements.txt',
    '--from',
    'package-lock.json',
    '--from',
    'app/package.json',
    '--sign',
    'mirror-key.pem',
    '--config',
    config,
    '--python',
    PYTHON,
  ]);
  [runs.denied, runs.skipped, runs.import] = await Promise.all([
    cli(['mirror', '--out', join(scratch, 'denied.tgz'), '--from', 'denied.txt', '--config', config, '--python', PYTHON]),
    cli([
      'mirror',
      '--out',
      join(scratch, 'skipped.tgz'),
      '--from',
      'denied.txt',
      '--skip-denied',
      '--python-version',
      '3.11',
      '--platform',
      'manylinux2014_x86_64',
      '--config',
      config,
      '--python',
      PYTHON,
    ]),
    cli(['import', bundle(), '--data-dir', dataDir, '--verify-key', 'mirror-key.pub.pem', '--config', config]),
  ]);
  runs.list = await cli(['mirror', '--list', bundle()]);
  const before = treeFingerprint(dataDir);
  runs.reimport = await cli(['import', bundle(), '--data-dir', dataDir, '--config', config]);
  reimportFingerprints = [before, treeFingerprint(dataDir)];
  manifest = await readManifestOnly(bundle());

  // From here on there is no upstream at all.
  await Promise.all([pypi.close(), npm.close()]);
  offline = await startOfflineServer(dataDir);
  project = makeProject({ name: 'offline-app', version: '1.0.0', dependencies: { 'widget-kit': '^2.0.0' } });
  writeFileSync(join(project.dir, 'package-lock.json'), JSON.stringify(lockfile(), null, 2));
  // The lockfile's URLs name the (stopped) upstream: replace-registry-host=always sends them to the registry given.
  [pip, pipMissing, npmCi] = await Promise.all([
    pipInstall(['app-core', 'fresh-lib'], { indexUrl: offline.simpleUrl }),
    pipInstall(['not-mirrored'], { indexUrl: offline.simpleUrl, args: ['-vv'] }),
    runNpm(['ci'], { cwd: project.dir, registry: offline.url, env: { npm_config_replace_registry_host: 'always' } }),
  ]);
});

test.after(async () => {
  await offline?.close();
  project?.remove();
  for (const result of [pip, pipMissing]) if (result) rmSync(result.target, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

test('mirror: the closure of a requirements.txt and a package-lock.json goes into one bundle, vetted', () => {
  assert.is(runs.mirror!.code, 0, runs.mirror!.stderr);
  assert.match(runs.mirror!.stdout, /wrote .*vetted\.tgz: 5 artifacts of 5 packages/);
  const names = manifest.artifacts.map((artifact) => `${artifact.ecosystem}:${artifact.name}@${artifact.version}`).sort();
  // fresh-lib 1.1.0 is an hour old: the firewall hid it, so pip took 1.0.0.
  assert.equal(names, ['npm:left-pad@1.1.0', 'npm:widget-kit@2.0.0', 'pypi:app-core@1.0.0', 'pypi:app-util@1.0.0', 'pypi:fresh-lib@1.0.0']);
  assert.match(runs.mirror!.stderr, 'resolving the PyPI closure (pip download through the firewall)');
});

test('mirror --from package.json resolves a lockfile through the firewall (npm install --package-lock-only) and keeps it beside the bundle', () => {
  assert.match(runs.mirror!.stderr, 'npm install --package-lock-only through the firewall');
  const lock = JSON.parse(readFileSync(`${bundle()}.package-lock.json`, 'utf8')) as {
    packages: Record<string, { version: string; integrity: string }>;
  };
  assert.is(lock.packages['node_modules/widget-kit']!.version, '2.0.0');
  assert.is(lock.packages['node_modules/left-pad']!.integrity, fixtureFacts.leftPad);
  assert.equal(
    manifest.inputs.map((input) => input.kind),
    ['requirements', 'package-lock', 'package.json'],
  );
});

test('mirror: the manifest records hashes, npm integrity, upstream URLs, decisions, facts and the policy', () => {
  const wheel = manifest.artifacts.find((artifact) => artifact.filename === fixtureFacts.wheel.filename);
  assert.ok(wheel?.ecosystem === 'pypi');
  assert.is(wheel.sha256, fixtureFacts.wheel.sha256);
  assert.match(wheel.upstreamUrl, /^http:\/\/127\.0\.0\.1:\d+\/files\/app_core-1\.0\.0-py3-none-any\.whl/);
  assert.ok(wheel.coreMetadata, 'the PEP 658 metadata file is kept');
  assert.is(wheel.decision.decision, 'allow');
  const leftPad = manifest.artifacts.find((artifact) => artifact.name === 'left-pad');
  assert.ok(leftPad?.ecosystem === 'npm');
  assert.is(leftPad.integrity, fixtureFacts.leftPad);
  assert.is((leftPad.manifest.dist as { integrity: string }).integrity, fixtureFacts.leftPad);
  assert.is(leftPad.published, fixtureFacts.leftPadPublished);
  const record = manifest.packages.find((entry) => entry.name === 'left-pad')!;
  assert.equal(record.facts.downloads, { exactly: POPULAR });
  assert.is(record.decision.decision, 'allow');
  assert.match(manifest.policy.digest, /^[0-9a-f]{64}$/);
  assert.is((manifest.policy.settings.policy as { minVersionAge: string }).minVersionAge, '3d');
  assert.ok(manifest.depfenceVersion && Date.parse(manifest.createdAt) > 0);
});

test('mirror --list prints what the bundle holds', () => {
  assert.is(runs.list!.code, 0, runs.list!.stderr);
  assert.match(runs.list!.stdout, /pypi\s+app-core 1\.0\.0\s+ALLOW/);
  assert.match(runs.list!.stdout, /npm\s+widget-kit 2\.0\.0\s+ALLOW.*widget-kit-2\.0\.0\.tgz/);
  assert.match(runs.list!.stdout, '5 artifacts of 5 packages');
});

test('mirror: a denied package fails the run with its reasons; --skip-denied leaves it out and lists it', async () => {
  assert.is(runs.denied!.code, 1, runs.denied!.stderr);
  assert.match(runs.denied!.stderr, /pypi:reqeusts: typosquat: reqeusts looks like a typosquat of requests/);
  assert.match(runs.denied!.stderr, 'no bundle was written');
  assert.is(runs.skipped!.code, 0, runs.skipped!.stderr);
  assert.match(runs.skipped!.stdout, /skipped \(denied\) pypi:reqeusts: typosquat/);
  const skipped = await readManifestOnly(join(scratch, 'skipped.tgz'));
  assert.equal(
    skipped.skipped.map((entry) => entry.name),
    ['reqeusts'],
  );
  assert.equal(
    skipped.artifacts.map((artifact) => artifact.name),
    ['app-util'],
  );
  assert.equal(skipped.target, { pythonVersion: '3.11', platforms: ['manylinux2014_x86_64'] });
});

test('mirror --sign writes BUNDLE.sig; import --verify-key checks it, into a fresh data dir; the same bundle again changes nothing', () => {
  assert.match(runs.mirror!.stdout, /signed: .*vetted\.tgz\.sig/);
  assert.is(runs.import!.code, 0, runs.import!.stderr);
  assert.match(runs.import!.stdout, /imported .* \(signature verified\): 5 new artifacts/);
  assert.is(runs.reimport!.code, 0, runs.reimport!.stderr);
  assert.match(runs.reimport!.stdout, 'nothing changed');
  assert.is(reimportFingerprints[1], reimportFingerprints[0]);
});

test('offline: the real pip installs the requirements (with the transitive dependency) with no upstream running', () => {
  assert.is(pip.code, 0, pip.output);
  const installed = readdirSync(pip.target)
    .filter((entry) => entry.endsWith('.dist-info'))
    .sort();
  assert.equal(installed, ['app_core-1.0.0.dist-info', 'app_util-1.0.0.dist-info', 'fresh_lib-1.0.0.dist-info']);
});

test('offline: npm ci installs the lockfile (with the transitive dependency) from the mirror', () => {
  assert.is(npmCi.code, 0, npmCi.output);
  assert.is(project.installed('widget-kit')?.version, '2.0.0');
  assert.is(project.installed('left-pad')?.version, '1.1.0');
  assert.is(readFileSync(join(project.dir, 'node_modules', 'left-pad', 'index.js'), 'utf8'), 'module.exports = "left-pad 1.1.0";\n');
});

test('offline: what is not in the bundle is 404 with the not-in-mirror message (pip and npm)', async () => {
  assert.is.not(pipMissing.code, 0);
  assert.match(pipMissing.output, 'not in the vetted mirror'); // pip shows an index page's 404 reason with -vv
  const packument = await fetch(`${offline.url}/not-mirrored`);
  assert.is(packument.status, 404);
  assert.match(((await packument.json()) as { error: string }).error, 'not-mirrored is not in the vetted mirror');
  const otherVersion = await fetch(`${offline.url}/left-pad/-/left-pad-1.0.0.tgz`);
  assert.is(otherVersion.status, 404);
  const page = await fetch(`${offline.url}/-/pypi/simple/fresh-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  const json = (await page.json()) as { files: { filename: string }[]; versions: string[] };
  assert.equal(json.versions, ['1.0.0']);
  assert.equal(
    json.files.map((file) => file.filename),
    ['fresh_lib-1.0.0-py3-none-any.whl'],
  );
});

test('offline: packuments are built from the store (tarball URLs on this server, integrity, times)', async () => {
  const answer = await fetch(`${offline.url}/widget-kit`);
  assert.is(answer.status, 200);
  const doc = (await answer.json()) as {
    'dist-tags': Record<string, string>;
    versions: Record<string, { dist: { tarball: string; integrity: string }; dependencies: Record<string, string> }>;
    time: Record<string, string>;
  };
  assert.equal(doc['dist-tags'], { latest: '2.0.0' });
  assert.is(doc.versions['2.0.0']!.dist.tarball, `${offline.url}/widget-kit/-/widget-kit-2.0.0.tgz`);
  assert.is(doc.versions['2.0.0']!.dist.integrity, fixtureFacts.widgetKit);
  assert.equal(doc.versions['2.0.0']!.dependencies, { 'left-pad': '^1.0.0' });
  assert.ok(doc.time['2.0.0']);
  const abbreviated = await fetch(`${offline.url}/widget-kit`, { headers: { accept: 'application/vnd.npm.install-v1+json' } });
  assert.not.ok('time' in ((await abbreviated.json()) as object));
});

test('offline: the policy still runs: a later deny entry and a longer age gate (on recorded publish times) refuse', async () => {
  const strict = await startOfflineServer(dataDir, (config) => {
    config.deny = [
      { ecosystem: 'pypi', name: 'app-util', reason: 'withdrawn after review' },
      { ecosystem: 'npm', name: 'left-pad', versions: '1.1.0', reason: 'bad release' },
    ];
    config.policy.minVersionAge = 250 * 86_400_000; // widget-kit 2.0.0 was published 200 days ago
  });
  try {
    const page = await fetch(`${strict.url}/-/pypi/simple/app-util/`);
    assert.is(page.status, 403);
    assert.match(await page.text(), 'withdrawn after review');
    const tarball = await fetch(`${strict.url}/left-pad/-/left-pad-1.1.0.tgz`);
    assert.is(tarball.status, 403);
    assert.match(((await tarball.json()) as { error: string }).error, 'bad release');
    const young = await fetch(`${strict.url}/widget-kit/-/widget-kit-2.0.0.tgz`);
    assert.is(young.status, 403);
    assert.match(((await young.json()) as { error: string }).error, /age: widget-kit@2\.0\.0 was published 200d ago/);
    const packument = (await (await fetch(`${strict.url}/widget-kit`)).json()) as { versions: object; 'dist-tags': object };
    assert.equal(packument.versions, {});
    assert.equal(packument['dist-tags'], {});
  } finally {
    await strict.close();
  }
});

test('serve --offline (the flag, as a child process) answers from the store and contacts nothing', async () => {
  const { child, url, exited } = await spawnServe(['--offline', '--port', '0', '--data-dir', dataDir], {
    env: isolatedEnv({
      DEPFENCE_UPSTREAMS__PYPI__SIMPLE: 'http://127.0.0.1:9/simple/',
      DEPFENCE_UPSTREAMS__NPM__REGISTRY: 'http://127.0.0.1:9/',
    }),
    timeoutMs: 20_000,
  });
  try {
    const health = (await (await fetch(`${url}/-/depfence/health`)).json()) as { offline: boolean };
    assert.is(health.offline, true);
    const page = await fetch(`${url}/-/pypi/simple/app-core/`);
    assert.is(page.status, 200);
    assert.match(await page.text(), 'app_core-1.0.0-py3-none-any.whl');
    const packument = await fetch(`${url}/left-pad`);
    assert.is(packument.status, 200);
    const missing = await fetch(`${url}/-/pypi/simple/not-mirrored/`);
    assert.is(missing.status, 404);
    assert.match(await missing.text(), 'not in the vetted mirror');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test.run();
