// The real npm (and npx) through the shims against a fixture registry behind a firewall the test
// starts, in temporary projects with their own caches: installs go through the firewall, a
// typosquat is explained before npm runs, another registry is refused, a project's scoped
// registry is pointed at the firewall, and `npm run` passes straight through.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { notices, runShim, shimWorld, startWorldFirewall, type ShimRun, type ShimWorld } from './helpers.js';

const test = suite('shims/npm');
const POPULAR = 5_000_000;
let npm: NpmUpstream;
let corp: NpmUpstream;
let world: ShimWorld;
let firewall: TestFirewall;
const runs: Record<string, ShimRun> = {};
const dirs: Record<string, string> = {};

/** A project folder with this package.json (and .npmrc). npm's cache is the data dir's, under the shim. */
function project(key: string, manifest: Record<string, unknown> = {}, npmrc?: string): string {
  const dir = join(world.dir, key.replace(/\W+/g, '-'));
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture-project', version: '1.0.0', private: true, ...manifest }, null, 2),
  );
  if (npmrc !== undefined) writeFileSync(join(dir, '.npmrc'), npmrc);
  dirs[key] = dir;
  return dir;
}

const flags = ['--no-audit', '--no-fund', '--ignore-scripts', '--fetch-retries=0'];

async function npmRun(key: string, tool: 'npm' | 'npx', args: string[], dir: string): Promise<void> {
  runs[key] = await runShim(tool, tool === 'npm' ? [...args, ...flags] : args, {
    env: { ...world.env, npm_config_update_notifier: 'false' },
    cwd: dir,
  });
}

test.before(async () => {
  npm = await NpmUpstream.start();
  corp = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: { '1.1.0': { published: daysAgo(300), files: { 'index.js': 'module.exports = (s) => s;\n' } } },
    downloads: POPULAR,
  });
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('@corp/widget', { versions: { '1.0.0': { published: daysAgo(300) } }, downloads: POPULAR });
  corp.addPackage('@corp/widget', { versions: { '2.0.0': { published: daysAgo(300) } } });
  world = shimWorld({ npm });
  firewall = await startWorldFirewall(world);

  await Promise.all([
    npmRun('install', 'npm', ['install', 'left-pad'], project('install')),
    npmRun('typosquat', 'npm', ['install', 'loadsh@4.17.21'], project('typosquat')),
    npmRun('npx typosquat', 'npx', ['--yes', 'loadsh'], project('npx typosquat')),
    npmRun('registry option', 'npm', ['install', '--registry', 'http://example.invalid/', 'left-pad'], project('registry option')),
    npmRun(
      'project registry',
      'npm',
      ['install', 'left-pad'],
      project('project registry', {}, '# our mirror\nregistry=http://example.invalid/\n'),
    ),
    npmRun('scoped registry', 'npm', ['install', '@corp/widget'], project('scoped registry', {}, `@corp:registry=${corp.registryUrl}\n`)),
    npmRun(
      'git dependency',
      'npm',
      ['install'],
      project('git dependency', { dependencies: { 'left-pad': '^1.0.0', tool: 'github:someone/tool' } }),
    ),
  ]);
});

test.after(async () => {
  await firewall.close();
  await npm.close();
  await corp.close();
  world.remove();
});

test('npm install through the shim installs from the firewall, which checks and logs it first', () => {
  const run = runs.install!;
  assert.is(run.code, 0, run.output);
  assert.ok(existsSync(join(dirs.install!, 'node_modules', 'left-pad', 'package.json')));
  const audit = firewall.audit();
  assert.ok(
    audit.some((r) => r.name === 'left-pad' && r.subject === 'pre-flight' && r.client === 'npm' && r.decision === 'allow'),
    'checked first',
  );
  assert.ok(
    audit.some((r) => r.name === 'left-pad' && r.subject === 'packument' && r.client === 'npm'),
    'npm asked the firewall',
  );
  const tarballs = npm.requestsTo(npm.route.tarball('left-pad'));
  assert.ok(
    tarballs.length > 0 && tarballs.every((r) => String(r.headers['user-agent']).includes('depfence')),
    'the tarball came through the firewall',
  );
});

test('a typosquat is refused by depfence (exit 1) before npm runs', () => {
  const run = runs.typosquat!;
  assert.is(run.code, 1, run.output);
  assert.match(run.stderr, 'depfence: npm install not run');
  assert.match(run.stderr, 'DENY   npm:loadsh@4.17.21');
  assert.match(run.stderr, 'typosquat');
  assert.not.ok(existsSync(join(dirs.typosquat!, 'node_modules')));
  assert.is(npm.requestsTo(npm.route.tarball('loadsh')).length, 0);
});

test('npx checks the package it would run', () => {
  const run = runs['npx typosquat']!;
  assert.is(run.code, 1, run.output);
  assert.match(run.stderr, 'DENY   npm:loadsh');
});

test('--registry on the command line is refused (exit 2)', () => {
  const run = runs['registry option']!;
  assert.is(run.code, 2, run.output);
  assert.match(run.stderr, '--registry http://example.invalid/, from the command line');
});

test("registry= in the project's .npmrc is refused (exit 2), naming the file and line", () => {
  const run = runs['project registry']!;
  assert.is(run.code, 2, run.output);
  assert.match(run.stderr, /registry http:\/\/example\.invalid\/, from \S*\.npmrc:2/);
});

test("a project's @corp:registry is pointed at the firewall, with a notice; the corp registry is never asked", () => {
  const run = runs['scoped registry']!;
  assert.is(run.code, 0, run.output);
  assert.ok(
    notices(run).some(
      (line) => line.startsWith(`depfence: redirecting @corp:registry ${corp.registryUrl} from `) && line.includes('.npmrc:1'),
    ),
    run.stderr,
  );
  assert.is(corp.requests.length, 0);
  const installed = JSON.parse(readFileSync(join(dirs['scoped registry']!, 'node_modules', '@corp', 'widget', 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.is(installed.version, '1.0.0', 'served by the firewall');
});

test('a git dependency in package.json is refused (exit 2), naming the file and line', () => {
  const run = runs['git dependency']!;
  assert.is(run.code, 2, run.output);
  assert.match(run.stderr, 'dependencies.tool github:someone/tool, from package.json:');
});

test('npm run and npm --version pass straight through without starting the firewall', async () => {
  const idle = shimWorld({ npm });
  try {
    const dir = mkdtempSync(join(idle.dir, 'p-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'p', version: '1.0.0', scripts: { hello: 'echo hello from the script' } }),
    );
    const [script, version] = await Promise.all([
      runShim('npm', ['run', 'hello'], { env: idle.env, cwd: dir }),
      runShim('npm', ['--version'], { env: idle.env, cwd: dir }),
    ]);
    assert.is(script.code, 0, script.output);
    assert.match(script.stdout, 'hello from the script');
    assert.is(version.code, 0, version.output);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    assert.not.ok(existsSync(join(idle.dataDir, 'server.json')) || existsSync(join(idle.dataDir, 'serve.log')), 'no firewall was started');
  } finally {
    idle.remove();
  }
});

test.run();
