// The real npm client against the firewall, with fixture registries upstream: what a developer
// sees when depfence allows, hides or refuses something.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { makeProject, runNpm, type TestProject } from '../helpers/npm-client.js';
import { startNpmFirewall } from '../helpers/npm-firewall.js';

const HOUR = 3_600_000;
const POPULAR = 5_000_000;

let npm: NpmUpstream;
let internal: NpmUpstream;
let firewall: TestFirewall;
const projects: TestProject[] = [];

function project(manifest: Record<string, unknown>): TestProject {
  const created = makeProject(manifest);
  projects.push(created);
  return created;
}

test.before(async () => {
  npm = await NpmUpstream.start();
  internal = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: {
      '1.0.0': { published: daysAgo(400) },
      '1.1.0': { published: daysAgo(300), files: { 'index.js': 'module.exports = (s) => s;\n' } },
      '1.2.0': { published: new Date(Date.now() - HOUR) },
    },
    downloads: POPULAR,
  });
  npm.addPackage('tiny-util', {
    versions: { '3.0.0': { published: daysAgo(500) }, '3.1.0': { published: daysAgo(90) } },
    downloads: POPULAR,
  });
  npm.addPackage('widget-kit', {
    versions: { '2.0.0': { published: daysAgo(200), dependencies: { 'left-pad': '^1.0.0', 'tiny-util': '^3.0.0' } } },
    downloads: POPULAR,
  });
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('debug', {
    versions: { '4.4.1': { published: daysAgo(300) }, '4.4.2': { published: daysAgo(200) } },
    downloads: 300_000_000,
  });
  npm.addPackage('tamper-me', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('never-fetched', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('never-asked', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  // The public registry also has a package in the internal scope: the confusion attack.
  npm.addPackage('@mycorp/secret-lib', { versions: { '9.9.9': { published: daysAgo(100) } }, downloads: POPULAR });
  internal.addPackage('@mycorp/secret-lib', {
    versions: { '1.0.0': { published: daysAgo(100), files: { 'index.js': 'module.exports = "internal";\n' } } },
  });

  firewall = await startNpmFirewall({
    npm,
    internal,
    configure: (config) => {
      config.policy.confusion.npm.scopes = ['mycorp'];
    },
  });
});

test.after(async () => {
  for (const created of projects) created.remove();
  await firewall?.close();
  await npm?.close();
  await internal?.close();
});

test('an allowed package with dependencies installs, and the lockfile points at the firewall', async () => {
  const app = project({ dependencies: { 'widget-kit': '^2.0.0' } });
  const run = await runNpm(['install'], { cwd: app.dir, registry: firewall.url });
  assert.is(run.code, 0, run.output);
  assert.is(app.installed('widget-kit')?.version, '2.0.0');
  assert.is(app.installed('left-pad')?.version, '1.1.0', 'the hour-old 1.2.0 is held back, ^1.0.0 resolves to 1.1.0');
  assert.is(app.installed('tiny-util')?.version, '3.1.0');
  const packages = app.lockfile().packages;
  for (const name of ['widget-kit', 'left-pad', 'tiny-util']) {
    const entry = packages[`node_modules/${name}`];
    assert.ok(entry?.resolved?.startsWith(`${firewall.url}/${name}/-/`), `${name} resolved ${entry?.resolved}`);
  }
});

test("a typosquat fails with depfence's reason in npm's output", async () => {
  const app = project({ dependencies: { loadsh: '^4.17.0' } });
  const run = await runNpm(['install'], { cwd: app.dir, registry: firewall.url });
  assert.is.not(run.code, 0);
  assert.match(run.output, /403/);
  assert.match(run.output, /depfence: loadsh is blocked: typosquat: loadsh looks like a typosquat of lodash/);
});

test('a version published an hour ago: skipped for a range, ETARGET asked exactly, 403 from a lockfile', async () => {
  const exact = project({ dependencies: { 'left-pad': '1.2.0' } });
  const run = await runNpm(['install'], { cwd: exact.dir, registry: firewall.url });
  assert.is.not(run.code, 0);
  assert.match(run.output, /ETARGET/);

  const locked = project({ dependencies: { 'left-pad': '1.2.0' } });
  const tarball = npm.tarball('left-pad', '1.2.0');
  writeFileSync(
    join(locked.dir, 'package-lock.json'),
    JSON.stringify({
      name: 'fixture-project',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'fixture-project', version: '1.0.0', dependencies: { 'left-pad': '1.2.0' } },
        'node_modules/left-pad': {
          version: '1.2.0',
          resolved: `${firewall.url}/left-pad/-/left-pad-1.2.0.tgz`,
          integrity: tarball.integrity,
        },
      },
    }),
  );
  const ci = await runNpm(['ci'], { cwd: locked.dir, registry: firewall.url });
  assert.is.not(ci.code, 0);
  assert.match(ci.output, /403/);
  assert.match(ci.output, /left-pad@1\.2\.0 is hidden: age: left-pad@1\.2\.0 was published/);
});

test('a known-malicious version is hidden even though it is old', async () => {
  const app = project({ dependencies: { debug: '^4.4.0' } });
  const run = await runNpm(['install'], { cwd: app.dir, registry: firewall.url });
  assert.is(run.code, 0, run.output);
  assert.is(app.installed('debug')?.version, '4.4.1');
  const exact = project({ dependencies: { debug: '4.4.2' } });
  const refused = await runNpm(['install'], { cwd: exact.dir, registry: firewall.url });
  assert.is.not(refused.code, 0);
  assert.match(refused.output, /ETARGET/);
});

test('a tampered tarball is refused and npm says why', async () => {
  const fault = npm.corrupt({ match: npm.route.tarball('tamper-me') });
  try {
    const app = project({ dependencies: { 'tamper-me': '1.0.0' } });
    const run = await runNpm(['install'], { cwd: app.dir, registry: firewall.url });
    assert.is.not(run.code, 0);
    assert.match(run.output, /tamper-me-1\.0\.0\.tgz of tamper-me@1\.0\.0 does not match its packument/);
    assert.is(app.installed('tamper-me'), null);
  } finally {
    fault.remove();
  }
});

test('an internal scope comes only from the internal registry; the public one is never asked', async () => {
  const app = project({ dependencies: { '@mycorp/secret-lib': '*' } });
  const run = await runNpm(['install'], { cwd: app.dir, registry: firewall.url });
  assert.is(run.code, 0, run.output);
  assert.is(app.installed('@mycorp/secret-lib')?.version, '1.0.0');
  assert.equal(
    npm.requests.filter((request) => /mycorp/i.test(decodeURIComponent(request.path))),
    [],
  );
  assert.ok(internal.requestsTo(internal.route.packument('@mycorp/secret-lib')).length > 0);
  assert.ok(internal.requestsTo(internal.route.tarball('@mycorp/secret-lib')).length > 0);
});

test('upstream stopped: cached packages still install; an uncached one is refused with the reason, and npm stops at once', async () => {
  // A package depfence has judged but Verdaccio never fetched: the one packument fetch that the
  // decision made also serves Verdaccio's uplink, so it is served with the upstream gone.
  await firewall.running.context.decider.decide({ ecosystem: 'npm', name: 'never-fetched', version: null });
  await npm.close();
  const judgedOnly = await fetch(`${firewall.url}/never-fetched`);
  assert.is(judgedOnly.status, 200, 'served from the packument the decision fetched');
  const tarball = await fetch(`${firewall.url}/never-fetched/-/never-fetched-1.0.0.tgz`);
  assert.is(tarball.status, 502, 'its tarball was never fetched, and the upstream is gone');
  assert.match(((await tarball.json()) as { error: string }).error, /failed to deliver never-fetched-1\.0\.0\.tgz/);

  const cached = project({ dependencies: { 'widget-kit': '^2.0.0' } });
  const run = await runNpm(['install'], { cwd: cached.dir, registry: firewall.url });
  assert.is(run.code, 0, run.output);
  assert.is(cached.installed('left-pad')?.version, '1.1.0');

  const uncached = project({ dependencies: { 'never-asked': '^1.0.0' } });
  // npm's own retry settings (2 retries, 10 s then 60 s apart): a 5xx would take over a minute here.
  const started = Date.now();
  const refused = await runNpm(['install'], { cwd: uncached.dir, registry: firewall.url, env: { npm_config_fetch_retries: '2' } });
  const seconds = (Date.now() - started) / 1000;
  assert.is.not(refused.code, 0);
  assert.match(refused.output, /403/);
  assert.match(refused.output, /never-asked cannot be checked right now/);
  assert.match(refused.output, /to allow it, add to "allow:"/);
  assert.ok(seconds < 10, `npm took ${seconds} s to give up`);
});

test.run();
