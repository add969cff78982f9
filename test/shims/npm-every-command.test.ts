// Issue #10, classes 1–3: no npm command gets around the firewall. The user's own .npmrc points
// npm at a second registry (a "rogue" fixture) for everything it can: the registry, a scope, a
// proxy and a cache; the project's .npmrc adds its own proxy settings. Every command `npm help`
// lists then runs through the shim, and the rogue registry's request log must stay empty, and no
// rogue package's postinstall (or bin) may ever write its marker file. The same holds for npm's
// shared cache (a tarball cached around the firewall is never used) and for proxies.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import pLimit from 'p-limit';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { runShim, shimWorld, startWorldFirewall, type ShimRun, type ShimWorld } from './helpers.js';

const test = suite('shims/npm-every-command');
const POPULAR = 5_000_000;
let npm: NpmUpstream;
let rogue: NpmUpstream;
let world: ShimWorld;
let firewall: TestFirewall;
let template: string;
let marker: string;
let env: NodeJS.ProcessEnv;
let userCache: string;

/** A package whose install script (and bin) writes the marker: it must never run. */
function markerManifest(file: string): Record<string, unknown> {
  const write = `require('fs').writeFileSync(${JSON.stringify(file)}, 'ran')`;
  return { scripts: { postinstall: `node -e "${write.replace(/"/g, '\\"')}"` }, bin: { 'rogue-bin': 'bin.js' } };
}

function markerFiles(file: string): Record<string, string> {
  return { 'bin.js': `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(file)}, 'ran');\n` };
}

/** Arguments that make each command do its work; a command not listed runs bare. */
const ARGS: Record<string, string[]> = {
  access: ['access', 'list', 'packages', 'left-pad'],
  bugs: ['bugs', 'left-pad', '--browser=false'],
  cache: ['cache', 'add', 'left-pad@9.9.9'],
  config: ['config', 'list'],
  deprecate: ['deprecate', 'left-pad@1.1.0', 'old'],
  diff: ['diff', '--diff=left-pad@1.1.0', '--diff=left-pad@9.9.9'],
  'dist-tag': ['dist-tag', 'ls', '@corp/widget'],
  docs: ['docs', 'left-pad', '--browser=false'],
  edit: ['edit', 'left-pad'],
  exec: ['exec', '--yes', 'rogue-tool'],
  explain: ['explain', 'left-pad'],
  explore: ['explore', 'left-pad', '--', 'true'],
  get: ['get', 'registry'],
  help: ['help', 'install'],
  'help-search': ['help-search', 'registry'],
  init: ['init', 'rogue', '--yes'],
  install: ['install', 'left-pad'],
  link: ['link', 'rogue-tool'],
  org: ['org', 'ls', 'someorg'],
  owner: ['owner', 'ls', '@corp/widget'],
  pack: ['pack', 'left-pad@9.9.9'],
  pkg: ['pkg', 'get', 'name'],
  profile: ['profile', 'get'],
  query: ['query', '*'],
  repo: ['repo', 'left-pad', '--browser=false'],
  run: ['run', 'hello'],
  search: ['search', 'rogue'],
  set: ['set', 'fund=false'],
  star: ['star', 'left-pad'],
  team: ['team', 'ls', 'someorg'],
  token: ['token', 'list'],
  undeprecate: ['undeprecate', 'left-pad@1.1.0'],
  uninstall: ['uninstall', 'left-pad'],
  unpublish: ['unpublish', 'left-pad@1.1.0'],
  unstar: ['unstar', 'left-pad'],
  update: ['update'],
  version: ['version', 'patch', '--no-git-tag-version'],
  view: ['view', 'left-pad'],
};

/** The commands `npm help` lists. */
function npmCommands(): string[] {
  const help = execFileSync('npm', ['help'], { encoding: 'utf8', env: { ...process.env, npm_config_userconfig: '/dev/null' } });
  const list = /All commands:\s*\n([\s\S]*?)\n\s*\n/.exec(help);
  if (!list) throw new Error(`npm help printed no command list:\n${help}`);
  return list[1]!.split(/[,\s]+/).filter(Boolean);
}

test.before(async () => {
  npm = await NpmUpstream.start();
  rogue = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: { '1.1.0': { published: daysAgo(300), files: { 'index.js': 'module.exports = (s) => s;\n' } } },
    downloads: POPULAR,
  });
  npm.addPackage('@corp/widget', { versions: { '1.0.0': { published: daysAgo(300) } }, downloads: POPULAR });
  world = shimWorld({ npm });
  marker = join(world.dir, 'MARKER-rogue-code-ran');
  // The rogue registry offers a newer left-pad, the corp scope, a create-rogue initializer and a
  // tool, every one of them writing the marker when installed or run.
  for (const name of ['left-pad', '@corp/widget', 'create-rogue', 'rogue-tool']) {
    rogue.addPackage(name, {
      versions: { '9.9.9': { published: daysAgo(500), manifest: markerManifest(marker), files: markerFiles(marker) } },
      downloads: POPULAR,
    });
  }
  firewall = await startWorldFirewall(world);

  // The user's npm configuration sends everything it can to the rogue registry.
  userCache = join(world.dir, 'user-npm-cache');
  const userrc = join(world.dir, 'user.npmrc');
  writeFileSync(
    userrc,
    [
      `registry=${rogue.registryUrl}`,
      `@corp:registry=${rogue.registryUrl}`,
      `proxy=${rogue.url}`,
      `https-proxy=${rogue.url}`,
      `cache=${userCache}`,
      'fetch-retries=0',
      '',
    ].join('\n'),
  );
  env = {
    ...world.env,
    npm_config_userconfig: userrc,
    npm_config_prefix: join(world.dir, 'global'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_fetch_timeout: '10000',
    EDITOR: 'true',
    VISUAL: 'true',
    PAGER: 'cat',
    MANPAGER: 'cat',
    BROWSER: 'true',
  };

  // The project: a dependency the firewall serves, scripts for the runners, and proxies of its own.
  template = join(world.dir, 'template');
  mkdirSync(template);
  writeFileSync(
    join(template, 'package.json'),
    JSON.stringify(
      {
        name: 'fixture-project',
        version: '1.0.0',
        scripts: { hello: 'true', test: 'true', start: 'true', stop: 'true', restart: 'true' },
        dependencies: { 'left-pad': '^1.0.0' },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(template, '.npmrc'), `proxy=${rogue.url}\nhttps-proxy=${rogue.url}\nnoproxy=\n`);
  const setup = await runShim('npm', ['install'], { env, cwd: template });
  assert.is(setup.code, 0, setup.output);
});

test.after(async () => {
  await firewall?.close();
  await npm?.close();
  await rogue?.close();
  world?.remove();
});

test('every npm command runs through the shim without contacting the registry, scope, proxy or cache the user configured', async () => {
  const commands = npmCommands();
  assert.ok(commands.length >= 60 && commands.includes('install') && commands.includes('init'), `npm help listed ${commands.join(', ')}`);
  const limit = pLimit(3);
  const runs = await Promise.all(
    commands.map((command, index) =>
      limit(async () => {
        const cwd = join(world.dir, `run-${index}-${command}`);
        cpSync(template, cwd, { recursive: true });
        return { command, run: await runShim('npm', ARGS[command] ?? [command], { env, cwd, timeoutMs: 60_000 }) };
      }),
    ),
  );
  const killed = runs.filter(({ run }) => run.signal !== null).map(({ command }) => command);
  assert.equal(killed, [], 'no command hung');
  assert.equal(
    rogue.requests.map((request) => `${request.method} ${request.path}`),
    [],
    'the rogue registry was never contacted',
  );
  assert.not.ok(existsSync(marker), `rogue code ran: ${runs.map(({ command, run }) => `${command}: ${run.code}`).join(', ')}`);
  assert.not.ok(existsSync(userCache), "the user's npm cache was never used");

  const byCommand = new Map(runs.map(({ command, run }) => [command, run] as const));
  const ok = (command: string): ShimRun => {
    const run = byCommand.get(command)!;
    assert.is(run.code, 0, `npm ${command}: ${run.output}`);
    return run;
  };
  // Work that should succeed does, from the firewall.
  ok('install');
  ok('ci');
  ok('run');
  assert.match(ok('view').stdout, '1.1.0');
  assert.match(ok('get').stdout, firewall.url);
  // The initializer and the tool exist only on the rogue registry: the firewall does not know them.
  assert.match(byCommand.get('init')!.stderr, 'create-rogue');
  assert.is.not(byCommand.get('init')!.code, 0);
  assert.is.not(byCommand.get('exec')!.code, 0);
  assert.is.not(byCommand.get('link')!.code, 0);
});

test("npm's shared cache: a tarball cached around the firewall is never installed from", async () => {
  // Cache the rogue left-pad@9.9.9 with the real npm (no shim on PATH), as a user might have done.
  const cached = await runShim('npm', ['cache', 'add', 'left-pad@9.9.9', `--registry=${rogue.registryUrl}`, `--cache=${userCache}`], {
    env: { ...process.env, npm_config_userconfig: '/dev/null' },
    cwd: world.dir,
  });
  assert.is(cached.code, 0, cached.output);
  const before = rogue.requests.length;
  const cwd = join(world.dir, 'cached');
  mkdirSync(cwd);
  const tarball = rogue.tarball('left-pad', '9.9.9');
  writeFileSync(join(cwd, 'package.json'), JSON.stringify({ name: 'cached', version: '1.0.0', dependencies: { 'left-pad': '9.9.9' } }));
  writeFileSync(
    join(cwd, 'package-lock.json'),
    JSON.stringify({
      name: 'cached',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'cached', version: '1.0.0', dependencies: { 'left-pad': '9.9.9' } },
        'node_modules/left-pad': {
          version: '9.9.9',
          resolved: rogue.tarballUrl('left-pad', '9.9.9'),
          integrity: tarball.integrity,
          hasInstallScript: true,
          bin: { 'rogue-bin': 'bin.js' },
        },
      },
    }),
  );
  for (const args of [['ci'], ['ci', '--prefer-offline'], ['ci', '--offline']]) {
    const run = await runShim('npm', args, { env, cwd });
    assert.is.not(run.code, 0, `npm ${args.join(' ')} must not install the cached rogue tarball:\n${run.output}`);
  }
  assert.is(rogue.requests.length, before, 'the rogue registry was not asked either');
  assert.not.ok(existsSync(marker));
  assert.not.ok(existsSync(join(cwd, 'node_modules', 'left-pad', 'package.json')));
});

test('the cache, proxy and registry options on the command line are refused (exit 2)', async () => {
  const cwd = join(world.dir, 'options');
  cpSync(template, cwd, { recursive: true });
  const before = rogue.requests.length;
  for (const args of [
    ['install', `--cache=${userCache}`],
    ['ci', '--proxy', rogue.url],
    ['install', `--https-proxy=${rogue.url}`],
    ['install', '--noproxy=*'],
    ['view', 'left-pad', `--reg=${rogue.registryUrl}`],
    ['run', 'hello', `--registry=${rogue.registryUrl}`],
  ]) {
    const run = await runShim('npm', args, { env, cwd });
    assert.is(run.code, 2, `npm ${args.join(' ')}:\n${run.output}`);
    assert.match(run.stderr, 'depfence: refusing to run npm');
  }
  assert.is(rogue.requests.length, before);
});

test.run();
