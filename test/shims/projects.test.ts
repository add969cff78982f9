// Per-project policy with shared firewalls: two projects with different depfence.yaml allow lists,
// their shims run at the same time with one data dir, and each gets its own decision. A firewall
// runs one configuration; a project whose configuration differs gets a firewall of its own (under
// <dataDir>/firewalls/<configKey>/), so project A's allow list never decides for project B.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { runCliInProcess } from '../helpers/cli.js';
import { notices, runShim, shimWorld, writeTestConfig, type ShimWorld } from './helpers.js';

const test = suite('shims/projects');
let npm: NpmUpstream;
let world: ShimWorld;
let env: NodeJS.ProcessEnv;

function project(name: string, allow: Record<string, string>[]): string {
  const dir = join(world.dir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  writeTestConfig(join(dir, 'depfence.yaml'), { npm, extra: { allow } });
  return dir;
}

function install(dir: string) {
  return runShim('npm', ['install', 'loadsh@4.17.21', '--no-audit', '--no-fund', '--ignore-scripts'], {
    env,
    cwd: dir,
    timeoutMs: 180_000,
  });
}

/** Every server.json under the data dir: one per running firewall. */
function serverFiles(): string[] {
  return (existsSync(world.dataDir) ? readdirSync(world.dataDir, { recursive: true, withFileTypes: true }) : [])
    .filter((entry) => entry.isFile() && entry.name === 'server.json')
    .map((entry) => join(entry.parentPath, entry.name));
}

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('loadsh', {
    versions: { '4.17.21': { published: daysAgo(700), files: { 'index.js': 'module.exports = 1;\n' } } },
    downloads: 40,
  });
  world = shimWorld({ npm });
  env = { ...world.env, npm_config_update_notifier: 'false' };
  delete env.DEPFENCE_CONFIG; // each project's own depfence.yaml, found upward
});

test.after(async () => {
  for (const file of serverFiles()) {
    try {
      process.kill((JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await npm.close();
  world.remove();
});

test("two projects at once: A's allow list lets loadsh in, B's firewall refuses it", async () => {
  const a = project('project-a', [{ ecosystem: 'npm', name: 'loadsh', reason: 'vetted by project A' }]);
  const b = project('project-b', []);
  const [inA, inB] = await Promise.all([install(a), install(b)]);
  assert.is(inA.code, 0, inA.output);
  assert.ok(readFileSync(join(a, 'node_modules', 'loadsh', 'package.json'), 'utf8').includes('4.17.21'));
  assert.is(inB.code, 1, inB.output);
  assert.match(notices(inB).join('\n'), /npm install not run: a package it names is denied by the policy/);
  assert.match(inB.stderr, /typosquat/);
  assert.is(serverFiles().length, 2, 'one firewall per configuration');

  // A later run in B reuses B's firewall and still refuses; A's still allows.
  const again = await install(b);
  assert.is(again.code, 1, again.output);
  assert.not.match(again.stderr, /starting the firewall/);
  assert.is(serverFiles().length, 2);

  const doctor = await runCliInProcess(['doctor'], { env, cwd: b });
  assert.match(doctor.stdout, `config: `);
  assert.match(doctor.stdout, join(b, 'depfence.yaml'));
  assert.match(doctor.stdout, /ok\s+firewall: healthy at http:\/\/127\.0\.0\.1:\d+, running this configuration/);
});

test.run();
