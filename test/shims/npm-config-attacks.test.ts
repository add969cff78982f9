// Attacks on the npm shim's own guard (issue #10): every way npm lets a user or a project name
// another registry, scope registry, cache or proxy must be overridden or refused. Each case gives
// the shim's inspection the same inputs npm would get and checks the environment npm is given.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inspectNpm } from '../../src/shims/npm/inspect.js';
import { npmEnvKey } from '../../src/shims/npm/npmrc.js';

const test = suite('shims/npm-config-attacks');
const EVIL = 'http://evil.example/';
const FIREWALL = { url: 'http://127.0.0.1:4874', dataDir: '/data', token: null };
let dir: string;
let project: string;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-npm-attacks-'));
  project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

function plan(args: string[], env: NodeJS.ProcessEnv = {}, cwd = project) {
  return inspectNpm({ args, env: { HOME: dir, ...env }, cwd, trusted: [], realTool: null, npx: false });
}

/** What npm would read from this environment: the last value of each key, whatever the spelling. */
function npmView(env: NodeJS.ProcessEnv): Record<string, string> {
  const view: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const key = npmEnvKey(variable);
    if (key !== null && value) view[key] = value;
  }
  return view;
}

test('npm_config_* in any spelling cannot point npm elsewhere', () => {
  const env = {
    NPM_CONFIG_REGISTRY: EVIL,
    npm_config_Registry: EVIL,
    'NPM_CONFIG_@CORP:REGISTRY': EVIL,
    npm_config_cache: join(dir, 'cache'),
    NPM_CONFIG_NOPROXY: '*',
    npm_config_replace_registry_host: 'never',
    NPM_CONFIG_REPLACE_REGISTRY_HOST: 'npmjs',
  };
  const result = npmView(plan(['install', 'x'], env).environment(FIREWALL));
  assert.is(result.registry, 'http://127.0.0.1:4874/');
  assert.is(result['@corp:registry'], 'http://127.0.0.1:4874/');
  assert.is(result.cache, '/data/npm-cache');
  assert.is(result.noproxy, '127.0.0.1');
  assert.is(result['replace-registry-host'], 'always');
});

test('scope registries in a user config named by --userconfig, by a project userconfig=, or by npm_config_userconfig are redirected', () => {
  writeFileSync(join(dir, 'cli.npmrc'), `@cli:registry=${EVIL}\n`);
  writeFileSync(join(dir, 'env.npmrc'), `@env:registry=${EVIL}\n`);
  writeFileSync(join(dir, 'named.npmrc'), `@named:registry=${EVIL}\nglobalconfig=${join(dir, 'global.npmrc')}\n`);
  writeFileSync(join(dir, 'global.npmrc'), `@global:registry=${EVIL}\n`);
  const other = join(dir, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'package.json'), '{"name":"o","version":"1.0.0"}');
  writeFileSync(join(other, '.npmrc'), `userconfig=${join(dir, 'named.npmrc')}\n`);
  const viaCli = npmView(plan(['install', 'x', `--userconfig=${join(dir, 'cli.npmrc')}`]).environment(FIREWALL));
  assert.is(viaCli['@cli:registry'], 'http://127.0.0.1:4874/');
  const viaEnv = npmView(plan(['install', 'x'], { NPM_CONFIG_USERCONFIG: join(dir, 'env.npmrc') }).environment(FIREWALL));
  assert.is(viaEnv['@env:registry'], 'http://127.0.0.1:4874/');
  const viaProject = npmView(plan(['install', 'x'], {}, other).environment(FIREWALL));
  assert.is(viaProject['@named:registry'], 'http://127.0.0.1:4874/', 'the project named the user file');
  assert.is(viaProject['@global:registry'], 'http://127.0.0.1:4874/', 'the user file named the global file');
});

test('cache, proxy and registry options are refused in every spelling nopt accepts', () => {
  for (const args of [
    ['i', 'x', '--cache=/tmp/c'],
    ['i', 'x', '--cach', '/tmp/c'],
    ['i', 'x', '--reg', EVIL],
    ['i', 'x', `--regis=${EVIL}`],
    ['i', 'x', `--@corp:registry=${EVIL}`],
    ['i', 'x', '--https-proxy', EVIL],
    ['i', 'x', `--prox=${EVIL}`],
    ['run', 'build', `--registry=${EVIL}`],
    ['i', 'x', '--replace-registry-host=never'],
  ]) {
    const refused = plan(args).settings.filter((setting) => setting.action === 'refuse');
    assert.ok(refused.length > 0, `npm ${args.join(' ')} is refused`);
  }
});

test('git and URL specs are refused however they are spelled, also behind --package and npm init', () => {
  const cases = [
    ['install', 'git@github.com:u/r.git'],
    ['install', 'u/r'],
    ['install', 'x@github:u/r'],
    ['exec', '--package=git+https://h/r.git', '--', 'r'],
    ['init', 'u/r'],
    ['pack', 'https://h/x.tgz'],
    ['cache', 'add', 'bitbucket:u/r'],
  ];
  for (const args of cases) {
    const refused = plan(args).settings.filter((setting) => setting.action === 'refuse');
    assert.ok(refused.length > 0, `npm ${args.join(' ')} is refused: ${JSON.stringify(refused)}`);
  }
});

test.run();
