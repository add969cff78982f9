// Refusals a user is told about, with one exit code table (1 denied by policy, 3 facts
// unavailable): npm finishing without an optional dependency the firewall refused names it and
// exits non-zero (unless --omit=optional); a dependency whose facts cannot be had stops npm at once
// and the shim exits 3; pip through the shim exits 3 when PyPI cannot be reached, as check does.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { omitsOptional, reportRefusals, subjectOf } from '../../src/shims/refusal-report.js';
import { runShim, shimWorld, type ShimWorld } from './helpers.js';

const test = suite('shims/refusals');
const POPULAR = 5_000_000;
let npm: NpmUpstream;
let pypi: PypiUpstream;
let world: ShimWorld;
let count = 0;

function project(): string {
  const dir = join(world.dir, `project-${++count}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `p${count}`, version: '1.0.0', private: true }));
  return dir;
}

function npmInstall(args: string[], dir: string) {
  return runShim('npm', ['install', ...args, '--no-audit', '--no-fund', '--ignore-scripts'], {
    env: { ...world.env, npm_config_update_notifier: 'false' },
    cwd: dir,
    timeoutMs: 120_000,
  });
}

test.before(async () => {
  npm = await NpmUpstream.start();
  pypi = await PypiUpstream.start();
  npm.addPackage('fast-tool', {
    versions: { '1.0.0': { published: daysAgo(300), manifest: { optionalDependencies: { 'fast-tool-linux-x64': '1.0.0' } } } },
    downloads: POPULAR,
  });
  npm.addPackage('fast-tool-linux-x64', { versions: { '1.0.0': { published: daysAgo(300) } }, downloads: POPULAR });
  npm.addPackage('needs-down', {
    versions: { '1.0.0': { published: daysAgo(300), dependencies: { 'count-down': '^1.0.0' } } },
    downloads: POPULAR,
  });
  npm.addPackage('count-down', { versions: { '1.0.0': { published: daysAgo(300) } }, downloads: POPULAR });
  npm.failWith(503, { match: npm.route.downloads('count-down') });
  pypi.addProject('app-core', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  pypi.failWith(503, { match: pypi.route.simple('app-core') });
  pypi.failWith(503, { match: pypi.route.json('app-core') });
  world = shimWorld({
    npm,
    pypi,
    extra: { deny: [{ ecosystem: 'npm', name: 'fast-tool-linux-x64', reason: 'stands in for a refused platform binary' }] },
  });
});

test.after(async () => {
  for (const entry of existsSync(world.dataDir) ? readdirSync(world.dataDir, { recursive: true, withFileTypes: true }) : []) {
    if (!entry.isFile() || entry.name !== 'server.json') continue;
    try {
      process.kill((JSON.parse(readFileSync(join(entry.parentPath, entry.name), 'utf8')) as { pid: number }).pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await npm.close();
  await pypi.close();
  world.remove();
});

test('the report: subjects from paths, --omit=optional spellings, and the exit code table', () => {
  assert.is(subjectOf('/@scope%2fpkg'), '@scope/pkg');
  assert.is(subjectOf('/@scope/pkg/-/pkg-1.0.0.tgz'), '@scope/pkg');
  assert.is(subjectOf('/left-pad/-/left-pad-1.1.0.tgz'), 'left-pad');
  assert.is(subjectOf('/-/pypi/simple/app-core/'), 'app-core');
  assert.ok(omitsOptional(['install', '--omit', 'optional'], {}));
  assert.ok(omitsOptional(['ci', '--no-optional'], {}));
  assert.ok(omitsOptional(['install'], { NPM_CONFIG_OMIT: 'dev optional' }));
  assert.not.ok(omitsOptional(['install', '--omit=dev'], {}));
  const lines: string[] = [];
  const base = { tool: 'pip' as const, args: [], env: {}, enforce: true, say: (line: string) => lines.push(line) };
  const down = { path: '/-/pypi/simple/x/', reason: 'x cannot be checked', unavailable: true };
  const denied = { path: '/-/pypi/simple/y/', reason: 'y is blocked', unavailable: false };
  assert.is(reportRefusals({ ...base, code: 1, refusals: [down] }), 3);
  assert.is(reportRefusals({ ...base, code: 1, refusals: [down, denied] }), 1);
  assert.is(reportRefusals({ ...base, code: 0, refusals: [denied] }), 0, 'pip succeeded: named, not failed');
  assert.is(reportRefusals({ ...base, code: 1, refusals: [] }), 1);
  assert.is(reportRefusals({ ...base, code: 1, refusals: [down], enforce: false }), 1);
});

test('npm finishing without a refused optional dependency names it and exits 1; --omit=optional stands', async () => {
  const dir = project();
  const run = await npmInstall(['fast-tool'], dir);
  assert.is(run.code, 1, run.output);
  assert.match(
    run.stderr,
    /depfence: fast-tool-linux-x64 was refused: .*stands in for a refused platform binary.*; tools that need it will not work/,
  );
  const omitted = await npmInstall(['fast-tool', '--omit=optional'], project());
  assert.is(omitted.code, 0, omitted.output);
});

test('a dependency whose facts cannot be had: npm stops at once, the shim names it and exits 3', async () => {
  const started = Date.now();
  const run = await npmInstall(['needs-down', '--fetch-retries=2'], project());
  const seconds = (Date.now() - started) / 1000;
  assert.is(run.code, 3, run.output);
  assert.match(run.stderr, /count-down: count-down cannot be checked right now/);
  assert.ok(seconds < 30, `${seconds} s (the firewall's own start is included)`);
});

test('pip through the shim exits 3 when the index cannot be reached, as check does', async () => {
  const run = await runShim('pip', ['install', '--target', join(world.dir, 'pip-target'), '--no-cache-dir', 'app-core'], {
    env: world.env,
    cwd: world.dir,
    timeoutMs: 120_000,
  });
  assert.is(run.code, 3, run.output);
  assert.match(run.stderr, /could not be obtained|unavailable/);
});

test.run();
