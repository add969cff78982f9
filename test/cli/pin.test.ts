// A way forward for fresh pins: a lockfile that pins a version published yesterday is refused with
// the date it will be allowed and the version allowed now (check, and npm ci through the firewall),
// and `depfence pin` moves the pin so that npm ci passes; when a move would break a declared range
// or is not possible, nothing is written.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';
import { makeProject, runNpm, type TestProject } from '../helpers/npm-client.js';
import { startNpmFirewall } from '../helpers/npm-firewall.js';
import { pinLockfile } from '../../src/cli/pin/npm-lockfile.js';
import { PinRefusal } from '../../src/cli/pin/types.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

let npm: NpmUpstream;
let pypi: PypiUpstream;
let firewall: TestFirewall;
const projects: TestProject[] = [];

function envFor(): NodeJS.ProcessEnv {
  return isolatedEnv({
    DEPFENCE_UPSTREAMS__NPM__REGISTRY: npm.registryUrl,
    DEPFENCE_UPSTREAMS__NPM__DOWNLOADS: npm.downloadsUrl,
    DEPFENCE_UPSTREAMS__PYPI__SIMPLE: pypi.simpleUrl,
    DEPFENCE_UPSTREAMS__PYPI__JSON: pypi.jsonUrl,
    DEPFENCE_UPSTREAMS__PYPI__DOWNLOADS: pypi.downloadsUrl,
    DEPFENCE_NETWORK__RETRIES: '0',
  });
}

/** A project whose lockfile was made against the registry directly, so it pins the day-old version. */
async function lockedProject(range: string): Promise<TestProject> {
  const project = makeProject({ dependencies: { 'daily-data': range } });
  projects.push(project);
  const run = await runNpm(['install', '--package-lock-only'], { cwd: project.dir, registry: npm.registryUrl });
  assert.is(run.code, 0, run.output);
  return project;
}

test.before(async () => {
  [npm, pypi] = await Promise.all([NpmUpstream.start(), PypiUpstream.start()]);
  npm.addPackage('daily-data', {
    versions: {
      '1.0.0': { published: ago(400) },
      '1.0.1': { published: ago(20), dependencies: { 'tiny-dep': '^1.0.0' } },
      '1.0.2': { published: ago(1), dependencies: { 'tiny-dep': '^1.0.0' } },
    },
    downloads: 5_000_000,
  });
  npm.addPackage('tiny-dep', { versions: { '1.0.0': { published: ago(300) } }, downloads: 5_000_000 });
  pypi.addProject('daily-py', { releases: { '2.0': { uploaded: ago(200) }, '2.1': { uploaded: ago(1) } }, downloads: 50_000 });
  firewall = await startNpmFirewall({ npm });
});

test.after(async () => {
  for (const project of projects) project.remove();
  await firewall?.close();
  await Promise.all([npm?.close(), pypi?.close()]);
});

test('a pinned day-old version: check and npm ci say when it is allowed and which version is allowed now', async () => {
  const project = await lockedProject('^1.0.0');
  assert.is(project.lockfile().packages['node_modules/daily-data']?.version, '1.0.2');
  const check = await runCliInProcess(['check', '--file', 'package-lock.json'], { env: envFor(), cwd: project.dir });
  assert.is(check.code, 1, check.stdout);
  assert.match(
    check.stdout,
    /daily-data@1\.0\.2 was published 1d ago; versions are held back until they are 3d old, so 1\.0\.2 is allowed from \d{4}-\d\d-\d\d \d\d:\d\d UTC; 1\.0\.1 is allowed now/,
  );
  assert.match(check.stdout, /depfence pin --file/);
  const ci = await runNpm(['ci'], { cwd: project.dir, registry: firewall.url, env: { npm_config_replace_registry_host: 'always' } });
  assert.is.not(ci.code, 0);
  assert.match(ci.output, /1\.0\.2 is allowed from .*; 1\.0\.1 is allowed now/);
});

test('depfence pin moves the pin to the newest allowed version, prints the change, and npm ci passes', async () => {
  const project = await lockedProject('^1.0.0');
  const pin = await runCliInProcess(['pin', '--file', 'package-lock.json'], { env: envFor(), cwd: project.dir });
  assert.is(pin.code, 0, pin.stderr);
  assert.match(pin.stdout, /- daily-data@1\.0\.2 {3}node_modules\/daily-data\n\+ daily-data@1\.0\.1\n/);
  const entry = project.lockfile().packages['node_modules/daily-data']!;
  assert.is(entry.version, '1.0.1');
  assert.match(String(entry.resolved), /daily-data-1\.0\.1\.tgz$/);
  const ci = await runNpm(['ci'], { cwd: project.dir, registry: firewall.url, env: { npm_config_replace_registry_host: 'always' } });
  assert.is(ci.code, 0, ci.output);
  assert.is(project.installed('daily-data')?.version, '1.0.1');
  const again = await runCliInProcess(['pin', '--file', 'package-lock.json'], { env: envFor(), cwd: project.dir });
  assert.match(again.stdout, /nothing to change/);
});

test('depfence pin refuses a move that would break the declared range, and leaves the file untouched', async () => {
  const project = await lockedProject('^1.0.2');
  const before = readFileSync(join(project.dir, 'package-lock.json'));
  const pin = await runCliInProcess(['pin', '--file', 'package-lock.json'], { env: envFor(), cwd: project.dir });
  assert.is(pin.code, 1);
  assert.match(
    pin.stderr,
    /daily-data 1\.0\.2 \(node_modules\/daily-data\) is held back and no version allowed now satisfies \^1\.0\.2 \(the project\); wait until .* UTC.*was not changed/,
  );
  assert.equal(readFileSync(join(project.dir, 'package-lock.json')), before);
});

test('pinLockfile refuses when the allowed version needs a dependency the lockfile does not have', () => {
  const lock = {
    lockfileVersion: 3,
    packages: {
      '': { dependencies: { a: '^1.0.0' } },
      'node_modules/a': { version: '1.1.0', resolved: 'http://r/a/-/a-1.1.0.tgz', integrity: 'sha512-x' },
    },
  };
  const held = [{ path: 'node_modules/a', name: 'a', version: '1.1.0', reason: 'young', allowedFrom: 'soon' }];
  const manifest = {
    name: 'a',
    version: '1.0.0',
    dependencies: { b: '^2' },
    dist: { tarball: 'http://r/a/-/a-1.0.0.tgz', shasum: 'ab'.repeat(20) },
  };
  assert.throws(
    () =>
      pinLockfile(
        lock,
        held,
        () => '1.0.0',
        () => manifest,
      ),
    (error: unknown) =>
      error instanceof PinRefusal &&
      error.message.includes('depends on b, which the lockfile does not have; run npm install a@1.0.0 instead'),
  );
  const plain = { ...manifest, dependencies: {} };
  const { lockfile } = pinLockfile(
    lock,
    held,
    () => '1.0.0',
    () => plain,
  );
  assert.equal(lockfile.packages['node_modules/a'], {
    version: '1.0.0',
    resolved: 'http://r/a/-/a-1.0.0.tgz',
    integrity: `sha1-${Buffer.from('ab'.repeat(20), 'hex').toString('base64')}`,
  });
  assert.is(lock.packages['node_modules/a'].version, '1.1.0', 'the input is not changed');
});

test('requirements: a held-back == pin is moved with its hashes; a range elsewhere in the file is respected', async () => {
  const project = makeProject({});
  projects.push(project);
  const file = join(project.dir, 'requirements.txt');
  const oldHash = pypi
    .files('daily-py', '2.1')
    .map((f) => `--hash=sha256:${f.sha256}`)
    .join(' \\\n    ');
  writeFileSync(file, `# pinned\nrequests-toolbelt>=0.9\ndaily-py==2.1 ; python_version >= "3.8" \\\n    ${oldHash}\n`);
  const pin = await runCliInProcess(['pin', '--file', 'requirements.txt'], { env: envFor(), cwd: project.dir });
  assert.is(pin.code, 0, pin.stderr);
  const newHashes = pypi
    .files('daily-py', '2.0')
    .map((f) => ` \\\n    --hash=sha256:${f.sha256}`)
    .join('');
  assert.is(readFileSync(file, 'utf8'), `# pinned\nrequests-toolbelt>=0.9\ndaily-py==2.0 ; python_version >= "3.8"${newHashes}\n`);

  writeFileSync(file, 'daily-py==2.1\ndaily-py>=2.1\n');
  const refused = await runCliInProcess(['pin', '--file', 'requirements.txt'], { env: envFor(), cwd: project.dir });
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /daily-py==2\.1 \(requirements\.txt:1\) is held back and no version that >=2\.1 accepts is allowed now/);
  assert.is(readFileSync(file, 'utf8'), 'daily-py==2.1\ndaily-py>=2.1\n');
});

test.run();
