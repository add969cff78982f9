// Portable lockfiles: with upstreams.npm.lockfileUrls: upstream, a lockfile written through the
// firewall names the upstream registry (no loopback firewall URL), installs with `npm ci` straight
// from that registry where there is no depfence, and through the firewall where there is (npm
// swapping the host: replace-registry-host=always, as the shims set); a lockfile written without
// depfence installs through it too.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { makeProject, runNpm, type TestProject } from '../helpers/npm-client.js';
import { startNpmFirewall } from '../helpers/npm-firewall.js';
import { npmSwapsByDefault, onUpstreamOrigin } from '../../src/server/npm/tarball-origin.js';

const test = suite('npm/lockfile');
const POPULAR = 5_000_000;
const THROUGH_FIREWALL = { npm_config_replace_registry_host: 'always' };

let npm: NpmUpstream;
let firewall: TestFirewall;
const projects: TestProject[] = [];

function project(dependencies: Record<string, string> = { 'widget-kit': '^2.0.0' }): TestProject {
  const created = makeProject({ dependencies });
  projects.push(created);
  return created;
}

function resolvedUrls(app: TestProject): string[] {
  return Object.entries(app.lockfile().packages)
    .filter(([path]) => path !== '')
    .map(([, entry]) => String(entry.resolved));
}

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: { '1.1.0': { published: daysAgo(300), files: { 'index.js': 'module.exports = (s) => s;\n' } } },
    downloads: POPULAR,
  });
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('widget-kit', {
    versions: { '2.0.0': { published: daysAgo(200), dependencies: { 'left-pad': '^1.0.0' } } },
    downloads: POPULAR,
  });
  firewall = await startNpmFirewall({ npm, configure: (config) => void (config.upstreams.npm.lockfileUrls = 'upstream') });
});

test.after(async () => {
  for (const created of projects) created.remove();
  await firewall?.close();
  await npm?.close();
});

test('tarball URLs move onto the upstream origin; a registry under a path, or an unreadable body, is left alone', () => {
  const body = Buffer.from(
    JSON.stringify({ name: 'a', versions: { '1.0.0': { dist: { tarball: 'http://127.0.0.1:4874/a/-/a-1.0.0.tgz' } } } }),
  );
  const moved = JSON.parse(onUpstreamOrigin(body, 'https://registry.npmjs.org/').toString()) as {
    versions: Record<string, { dist: { tarball: string } }>;
  };
  assert.is(moved.versions['1.0.0']!.dist.tarball, 'https://registry.npmjs.org/a/-/a-1.0.0.tgz');
  const manifest = Buffer.from(
    JSON.stringify({ name: '@s/b', version: '2.0.0', dist: { tarball: 'http://localhost:9/@s/b/-/b-2.0.0.tgz' } }),
  );
  assert.match(
    onUpstreamOrigin(manifest, 'https://npm.corp.example/').toString(),
    '"tarball":"https://npm.corp.example/@s/b/-/b-2.0.0.tgz"',
  );
  assert.is(
    onUpstreamOrigin(body, 'https://corp.example/api/npm/'),
    body,
    'npm keeps only the path of a swapped URL: a prefix would miss the firewall',
  );
  assert.is(onUpstreamOrigin(Buffer.from('not json'), 'https://registry.npmjs.org/').toString(), 'not json');
  assert.ok(npmSwapsByDefault('https://registry.npmjs.org/'));
  assert.not.ok(npmSwapsByDefault('https://npm.corp.example/'));
});

test('a lockfile written through the firewall names the upstream and installs with and without depfence', async () => {
  const written = project();
  const install = await runNpm(['install'], { cwd: written.dir, registry: firewall.url, env: THROUGH_FIREWALL });
  assert.is(install.code, 0, install.output);
  const urls = resolvedUrls(written);
  assert.is(urls.length, 2);
  for (const url of urls) assert.ok(url.startsWith(npm.registryUrl), `${url} is on the upstream ${npm.registryUrl}`);
  for (const url of urls) assert.not.ok(url.startsWith(firewall.url), url);

  const elsewhere = project();
  copyFileSync(join(written.dir, 'package-lock.json'), join(elsewhere.dir, 'package-lock.json'));
  const direct = await runNpm(['ci'], { cwd: elsewhere.dir, registry: npm.registryUrl });
  assert.is(direct.code, 0, `npm ci straight from the registry, no depfence: ${direct.output}`);
  assert.is(elsewhere.installed('left-pad')?.version, '1.1.0');
});

test('a lockfile written without depfence installs through the firewall, which checks every tarball in it', async () => {
  const clean = project();
  const cleanInstall = await runNpm(['install'], { cwd: clean.dir, registry: npm.registryUrl });
  assert.is(cleanInstall.code, 0, cleanInstall.output);
  const squat = project({ 'widget-kit': '^2.0.0', loadsh: '4.17.21' });
  const squatInstall = await runNpm(['install'], { cwd: squat.dir, registry: npm.registryUrl });
  assert.is(squatInstall.code, 0, squatInstall.output);

  for (const [written, refused] of [
    [clean, false],
    [squat, true],
  ] as const) {
    const through = project(written === clean ? { 'widget-kit': '^2.0.0' } : { 'widget-kit': '^2.0.0', loadsh: '4.17.21' });
    copyFileSync(join(written.dir, 'package-lock.json'), join(through.dir, 'package-lock.json'));
    const ci = await runNpm(['ci'], { cwd: through.dir, registry: firewall.url, env: THROUGH_FIREWALL });
    if (!refused) {
      assert.is(ci.code, 0, ci.output);
      assert.is(through.installed('widget-kit')?.version, '2.0.0');
    } else {
      assert.is.not(ci.code, 0, 'the typosquat in the lockfile reached the firewall and was refused');
      assert.match(ci.output, /depfence: loadsh/);
    }
  }
});

test.run();
