// The shims' reading of command lines, requirements files and configuration, without running a
// tool: which commands fetch, pip's abbreviations, what a requirement points at, trusted URLs,
// pip's configuration file, and the launchers, shell-init, install-shims and doctor commands.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startsFirewall } from '../../src/shims/commands.js';
import { scanArgs } from '../../src/inputs/options.js';
import { classifyRequirement } from '../../src/inputs/requirement.js';
import { readNpmDependency, readNpmSpec } from '../../src/inputs/npm-spec.js';
import { readNpmrc } from '../../src/inputs/npmrc.js';
import { initializerSpec, npmCommand } from '../../src/shims/npm/commands.js';
import { parseIni } from '../../src/shims/pip/config-files.js';
import { inspectPip } from '../../src/shims/pip/inspect.js';
import { PIP_OPTIONS } from '../../src/shims/pip/options.js';
import { scanRequirementsFile, type RequirementsScan } from '../../src/shims/requirements.js';
import { isTrusted, redact } from '../../src/shims/settings.js';
import { isShim } from '../../src/shims/real-tool.js';
import { shellInit } from '../../src/cli/shell-init.js';
import { isolatedEnv, REPO_ROOT, runCliInProcess } from '../helpers/cli.js';
import { SHIMS_DIR } from './helpers.js';

const test = suite('shims/parsing');
let dir: string;

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-shim-parsing-'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('commands that fetch nothing do not start the firewall; everything else does', () => {
  const through = (tool: 'pip' | 'npm' | 'npx' | 'uv', line: string) => startsFirewall(tool, line === '' ? [] : line.split(' '));
  for (const line of [
    '--version',
    '-V',
    'list',
    'show requests',
    'freeze',
    'uninstall -y x',
    '--isolated list',
    '--timeout 5 show x',
    'help install',
    '',
  ])
    assert.not.ok(through('pip', line), `pip ${line}`);
  for (const line of [
    'install x',
    'download x',
    'wheel x',
    'index versions x',
    'list --outdated',
    'list -o',
    '--proxy p install x',
    'some-new-command',
  ])
    assert.ok(through('pip', line), `pip ${line}`);
  for (const line of [
    '--version',
    '-v',
    'run build',
    'test',
    'run-script x',
    'start',
    'ls',
    'config get registry',
    '--prefix d run x',
    'init',
    'init -y',
    'pack',
    'cache ls',
    'rebuild',
    'explain x',
    '',
  ]) {
    assert.not.ok(through('npm', line), `npm ${line}`);
  }
  const fetching = [
    'install',
    'i x',
    'ci',
    'add x',
    'update',
    'exec x',
    'view x',
    '--prefix d install',
    'publish',
    'init x',
    'create x',
    'innit x',
    'link',
    'ln x',
    'uninstall a',
    'unin a',
  ];
  for (const line of [
    ...fetching,
    'rm a',
    'prune',
    'pack x',
    'cache add x',
    'search x',
    'docs x',
    'owner ls x',
    'dist-tag ls x',
    'doctor',
    'ping',
    'some-future-command',
    'ru',
  ]) {
    assert.ok(through('npm', line), `npm ${line}`);
  }
  for (const line of ['--version', '-V', 'help', 'cache clean', 'self update', 'pip list', 'pip freeze', ''])
    assert.not.ok(through('uv', line), `uv ${line}`);
  for (const line of [
    'pip install x',
    'add x',
    'sync',
    'lock',
    'run pytest',
    'tool install x',
    'pip list --outdated',
    '--directory d sync',
  ])
    assert.ok(through('uv', line), `uv ${line}`);
  assert.not.ok(through('npx', '--version'));
  assert.ok(through('npx', 'cowsay hi'));
});

test("pip's option parsing: values, short clusters and optparse's unique-prefix abbreviations", () => {
  const scanned = scanArgs(
    ['install', '-qqr', 'req.txt', '--extra-ind', 'http://x/simple', '--index=http://y/simple', '--target', 'out', 'pkg'],
    PIP_OPTIONS,
  );
  assert.equal(scanned.positionals, ['install', 'pkg']);
  const names = scanned.options.map((option) => [option.name, option.value]);
  assert.equal(names, [
    ['--quiet', null],
    ['--quiet', null],
    ['--requirement', 'req.txt'],
    ['--extra-index-url', 'http://x/simple'],
    ['--index', 'http://y/simple'],
    ['--target', 'out'],
  ]);
});

test('what a requirement points at: a name (pinned or not), a URL, a local path', () => {
  assert.equal(classifyRequirement('requests==2.31.0'), { kind: 'name', name: 'requests', version: '2.31.0' });
  assert.equal(classifyRequirement('Requests[socks] >=2 ; python_version>"3"'), { kind: 'name', name: 'Requests', version: null });
  assert.equal(classifyRequirement('x==1.0 --hash=sha256:abc'), { kind: 'name', name: 'x', version: '1.0' });
  assert.equal(classifyRequirement('x @ https://h/x.whl'), { kind: 'url', url: 'https://h/x.whl' });
  assert.equal(classifyRequirement('git+ssh://git@h/x.git#egg=x'), { kind: 'url', url: 'git+ssh://git@h/x.git#egg=x' });
  assert.equal(classifyRequirement('x @ file:///tmp/x.whl'), { kind: 'local', path: 'file:///tmp/x.whl' });
  assert.equal(classifyRequirement('./dist/x-1.0-py3-none-any.whl'), { kind: 'local', path: './dist/x-1.0-py3-none-any.whl' });
});

test("npm specs are read with npm's own parser: what looks like a name may be git, an alias fetches the aliased package", () => {
  assert.equal(readNpmSpec('@scope/pkg@1.2.3'), { kind: 'registry', name: '@scope/pkg', version: '1.2.3', range: '1.2.3' });
  assert.equal(readNpmSpec('left-pad@^1'), { kind: 'registry', name: 'left-pad', version: null, range: '^1' });
  assert.equal(readNpmSpec('alias@npm:real@2.0.0'), { kind: 'registry', name: 'real', version: '2.0.0', range: '2.0.0' });
  assert.equal(
    readNpmSpec('npm:debug@v4.4.2'),
    { kind: 'registry', name: 'debug', version: '4.4.2', range: 'v4.4.2' },
    'v4.4.2 is the version 4.4.2',
  );
  assert.equal(readNpmSpec('debug@=4.4.2'), { kind: 'registry', name: 'debug', version: '4.4.2', range: '=4.4.2' });
  assert.equal(readNpmSpec('git@github.com:user/repo.git').kind, 'git', 'not the registry package "git"');
  assert.equal(readNpmSpec('someone/tool'), { kind: 'git', url: 'someone/tool' });
  assert.equal(readNpmSpec('https://h/x.tgz'), { kind: 'remote', url: 'https://h/x.tgz' });
  assert.equal(readNpmSpec('./local-dir', '/p').kind, 'local');
  assert.equal(readNpmDependency('x', 'git+https://h/x.git').kind, 'git');
  assert.equal(readNpmDependency('x', 'github:a/b#main').kind, 'git');
  assert.equal(readNpmDependency('x', 'workspace:*').kind, 'invalid', 'npm refuses it too');
  assert.equal(readNpmDependency('x', 'npm:y@1.0.0'), { kind: 'registry', name: 'y', version: '1.0.0', range: '1.0.0' });
});

test("npm's command words: aliases, unique abbreviations and camelCase, as npm resolves them; initializers as npm maps them", () => {
  const words: [string, string | null][] = [
    ['i', 'install'],
    ['unin', 'uninstall'],
    ['pac', 'pack'],
    ['installTest', 'install-test'],
    ['install-cl', 'ci'],
    ['innit', 'init'],
    ['x', 'exec'],
    ['ru', null],
    ['nonsense', null],
  ];
  for (const [word, command] of words) assert.is(npmCommand(word), command, word);
  assert.is(initializerSpec('vite'), 'create-vite@*');
  assert.is(initializerSpec('@scope'), '@scope/create');
  assert.is(initializerSpec('@scope@2'), '@scope/create@2');
  assert.is(initializerSpec('@scope/app@1'), '@scope/create-app@1');
  assert.is(initializerSpec('user/repo'), 'user/repo', 'a git initializer stays git (and is refused as such)');
});

test('trusted URLs match themselves and what lies under them, nothing else; credentials are never shown', () => {
  const trusted = ['https://pypi.corp.example/simple/', 'git+https://github.com/my-org/'];
  assert.ok(isTrusted('https://pypi.corp.example/simple', trusted));
  assert.ok(isTrusted('https://pypi.corp.example/simple/pkg/', trusted));
  assert.ok(isTrusted('git+https://github.com/my-org/tool.git', trusted));
  assert.ok(isTrusted('https://github.com/my-org/tool', trusted));
  assert.not.ok(isTrusted('https://pypi.corp.example/simple-evil/', trusted));
  assert.not.ok(isTrusted('https://pypi.corp.example.evil.com/simple/', trusted));
  assert.is(redact('https://user:secret@h/simple/'), 'https://***@h/simple/');
});

test('requirements files: includes followed relative to the including file, cycles ended, ${VAR} expanded', () => {
  mkdirSync(join(dir, 'reqs', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'reqs', 'a.txt'), 'alpha==1.0 \\\n  --hash=sha256:00\n-r sub/b.txt\n-c sub/c.txt\n');
  writeFileSync(join(dir, 'reqs', 'sub', 'b.txt'), 'beta\n-r ../a.txt\n--extra-index-url ${CORP_INDEX}\n');
  writeFileSync(join(dir, 'reqs', 'sub', 'c.txt'), 'gamma<2\n');
  const scan: RequirementsScan = {
    env: { CORP_INDEX: 'https://corp.example/simple' },
    trusted: [],
    display: (file) => file.replace(`${dir}/`, ''),
    settings: [],
    packages: [],
    localPaths: [],
    seen: new Set(),
  };
  scanRequirementsFile(join(dir, 'reqs', 'a.txt'), 'requirements', scan);
  assert.equal(
    scan.packages.map((ref) => [ref.name, ref.version, ref.origin]),
    [
      ['alpha', '1.0', 'reqs/a.txt:1'],
      ['beta', null, 'reqs/sub/b.txt:1 (included from reqs/a.txt:3)'],
    ],
  );
  assert.equal(scan.settings, [
    {
      setting: '--extra-index-url',
      value: 'https://corp.example/simple',
      origin: 'reqs/sub/b.txt:3 (included from reqs/a.txt:3)',
      action: 'refuse',
      why: 'another package source, consulted besides (or instead of) the firewall',
    },
  ]);
});

test("pip's configuration file: the user's settings kept, every package source blanked in every section", async () => {
  const conf = join(dir, 'pip-user.conf');
  writeFileSync(
    conf,
    '[global]\ntimeout = 60\nextra-index-url = https://a.example/simple\n    https://b.example/simple\n[install]\nfind_links = /opt/wheels\nconstraint = /nonexistent/c.txt\n',
  );
  const plan = await inspectPip({
    args: ['install', 'x'],
    env: { PIP_CONFIG_FILE: conf, HOME: dir, XDG_CONFIG_DIRS: join(dir, 'none') },
    cwd: dir,
    trusted: ['https://b.example/simple'],
    realTool: null,
  });
  assert.equal(
    plan.settings.map((setting) => [setting.setting, setting.value, setting.action]),
    [
      ['extra-index-url', 'https://a.example/simple', 'ignore'],
      ['extra-index-url', 'https://b.example/simple', 'trusted'],
      ['find-links', '/opt/wheels', 'ignore'],
    ],
  );
  const env = plan.environment({ url: 'http://127.0.0.1:4874', dataDir: join(dir, 'data'), token: null });
  assert.is(env.PIP_INDEX_URL, 'http://127.0.0.1:4874/-/pypi/simple/');
  const written = parseIni(readFileSync(env.PIP_CONFIG_FILE!, 'utf8'));
  const section = (name: string) => Object.fromEntries(written.get(name) ?? []);
  const blanked = {
    'index-url': 'http://127.0.0.1:4874/-/pypi/simple/',
    'pypi-url': '',
    'extra-index-url': '',
    'find-links': '',
    'no-index': '',
    'trusted-host': '',
    proxy: '',
  };
  assert.equal(
    { ...section('global'), cert: undefined },
    { ...blanked, cert: undefined, timeout: '60', 'extra-index-url': 'https://b.example/simple' },
  );
  assert.equal(section('install'), { ...blanked, constraint: '/nonexistent/c.txt' });
  for (const name of ['download', 'wheel', 'index', 'lock']) assert.equal(section(name), blanked, name);
  const token = plan.environment({ url: 'http://127.0.0.1:4874', dataDir: join(dir, 'data'), token: 'secret-token-123456' });
  assert.is(token.PIP_INDEX_URL, 'http://depfence:secret-token-123456@127.0.0.1:4874/-/pypi/simple/');
});

test('.npmrc read as npm reads it: ini (quoted keys, sections), ${VAR} expansion in keys and values', () => {
  const text =
    '; comment\nregistry = "https://r.example/"\n"@acme:registry"=https://acme.example/\n${SCOPE}:registry=${CORP}\n//r.example/:_authToken=${TOKEN?}\nliteral=\\${CORP}\n[section]\n@hidden:registry=https://never.example/\n';
  const entries = readNpmrc(text, { CORP: 'https://corp.example/', SCOPE: '@corp' });
  assert.equal(
    entries.map((entry) => [entry.key, entry.value, entry.line]),
    [
      ['registry', 'https://r.example/', 2],
      ['@acme:registry', 'https://acme.example/', 3],
      ['@corp:registry', 'https://corp.example/', 4],
      ['//r.example/:_authToken', '', 5],
      ['literal', '${CORP}', 6],
    ],
  );
});

test('the launchers in shims/ are marked, executable, and run the shared body for their own tool', () => {
  for (const tool of ['pip', 'pip3', 'npm', 'npx', 'uv']) {
    const file = join(SHIMS_DIR, tool);
    assert.ok(isShim(file), `${tool} carries the marker`);
    assert.ok((statSync(file).mode & 0o111) !== 0, `${tool} is executable`);
    assert.match(readFileSync(file, 'utf8'), `tool=${tool}\n`);
    assert.match(readFileSync(file, 'utf8'), '. "$root/shims/launch.sh"');
  }
  assert.match(readFileSync(join(SHIMS_DIR, 'launch.sh'), 'utf8'), 'dist/shims/main.js" "$tool" "$@"');
});

test('print-only commands reach the real tool without starting Node; npm script runners do not', () => {
  // PATH holds the shims, a recording stand-in for npm and pip, and the few utilities the launcher
  // uses, but no node: anything that took the Node path would fail.
  const bin = mkdtempSync(join(tmpdir(), 'depfence-fastpath-'));
  for (const utility of ['head', 'grep', 'tr', 'readlink'])
    symlinkSync(execFileSync('/bin/sh', ['-c', `command -v ${utility}`], { encoding: 'utf8' }).trim(), join(bin, utility));
  for (const tool of ['npm', 'pip']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "real ${tool}: $*"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const env = { PATH: `${SHIMS_DIR}:${bin}`, HOME: bin };
  const run = (tool: string, args: string[]) => spawnSync(join(SHIMS_DIR, tool), args, { env, encoding: 'utf8' });
  assert.is(run('npm', ['--version']).stdout, 'real npm: --version\n');
  assert.is(
    run('npm', ['run', 'build']).stdout,
    '',
    'npm run goes to the Node shim too: every command gets the firewall as its only source',
  );
  assert.is(run('pip', ['--version']).stdout, 'real pip: --version\n');
  const install = run('npm', ['install', 'lodash']);
  assert.is(install.stdout, '', 'install goes to the Node shim (absent here), never straight to npm');
  assert.is.not(install.status, 0);
  const viaOverride = spawnSync(join(SHIMS_DIR, 'npm'), ['-v'], { env: { ...env, DEPFENCE_REAL_NPM: join(bin, 'pip') }, encoding: 'utf8' });
  assert.is(viaOverride.stdout, 'real pip: -v\n', 'DEPFENCE_REAL_NPM is honoured');
});

test('shell-init prints PATH and python -m pip lines for bash, zsh and fish', () => {
  const bash = shellInit('bash', {}, '/opt/depfence/shims');
  assert.match(bash, `case ":$PATH:" in :/opt/depfence/shims:*) ;; *) export PATH=/opt/depfence/shims":$PATH" ;; esac`);
  assert.match(bash, 'python3() {');
  assert.match(shellInit(undefined, { SHELL: '/usr/bin/fish' }, '/x'), 'set -gx PATH /x $PATH');
  assert.throws(() => shellInit('tcsh', {}, '/x'), /shell-init knows bash, zsh, fish/);
  assert.match(shellInit('bash', {}, "/opt/it's here"), `export PATH='/opt/it'\\''s here'":$PATH"`);
});

test('the python functions send every spelling of `python -m pip` to the pip shim, and nothing else', () => {
  // A stand-in pip shim that says what it was given; bash runs the functions shell-init prints.
  const shims = mkdtempSync(join(tmpdir(), 'depfence-shell-init-'));
  writeFileSync(join(shims, 'pip'), '#!/bin/sh\necho "pip shim: $*"\n');
  chmodSync(join(shims, 'pip'), 0o755);
  const init = join(shims, 'init.sh');
  writeFileSync(init, shellInit('bash', {}, shims));
  const run = (line: string) => execFileSync('bash', ['-c', `. ${init}; ${line}`], { encoding: 'utf8' }).trim();
  const cases: [string, string][] = [
    ['python3 -m pip install x', 'pip shim: install x'],
    ['python3 -mpip install x', 'pip shim: install x'],
    ["python3 -m pip install 'a b'", 'pip shim: install a b'],
    ['python3 -I -m pip list', 'pip shim: list'],
    ['python3 -Im pip list', 'pip shim: list'],
    ['python3 -Impip list', 'pip shim: list'],
    ['python3 -W ignore -m pip -V', 'pip shim: -V'],
    ['python3 -m pip.__main__ show y', 'pip shim: show y'],
    ['python -mpip install x', 'pip shim: install x'],
    ["python3 -c 'print(42)'", '42'],
    ['python3 -m json.tool <<< 7', '7'],
  ];
  for (const [line, expected] of cases) assert.is(run(line), expected, line);
  assert.is(run('python3 -m pip -V >/dev/null; echo "${depfence_i-unset}"'), 'unset', 'the functions leave no variables behind');
  // The fish functions, where fish is installed.
  if (spawnSync('fish', ['--version']).error) {
    console.log('  skipped the fish half: no fish on this machine');
    return;
  }
  const fishInit = join(shims, 'init.fish');
  writeFileSync(fishInit, shellInit('fish', {}, shims));
  for (const [line, expected] of cases.filter(([line]) => !line.includes('<<<'))) {
    assert.is(execFileSync('fish', ['-c', `source ${fishInit}; ${line}`], { encoding: 'utf8' }).trim(), expected, `fish: ${line}`);
  }
});

test('the depfence launcher beside the shims answers shell-init without Node, and npx depfence is this depfence', () => {
  const env = { ...isolatedEnv(), PATH: `${SHIMS_DIR}:${process.env.PATH}` };
  const started = process.hrtime.bigint();
  const init = spawnSync(join(SHIMS_DIR, 'depfence'), ['shell-init', 'bash'], { env: { ...env, PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.is(init.status, 0, init.stderr);
  assert.is(init.stdout, shellInit('bash', env), 'the launcher and the CLI print the same lines');
  assert.ok(ms < 1000, `shell-init took ${ms} ms (no node on that PATH, so it cannot have started Node)`);
  const npx = spawnSync(join(SHIMS_DIR, 'npx'), ['depfence', 'check', '--offline', 'npm:left-pad'], { env, encoding: 'utf8' });
  assert.is(npx.status, 0, npx.stderr);
  assert.match(npx.stdout, 'ALLOW  npm:left-pad');
  const yes = spawnSync(join(SHIMS_DIR, 'npx'), ['--yes', 'depfence', 'check', '--offline', 'pypi:reqeusts'], { env, encoding: 'utf8' });
  assert.is(yes.status, 1, yes.stderr);
  assert.match(yes.stdout, 'DENY   pypi:reqeusts');
});

test('install-shims writes working launchers, and will not overwrite a file that is not one', async () => {
  const target = join(dir, 'bin');
  const env = isolatedEnv();
  const first = await runCliInProcess(['install-shims', '--dir', target], { env, cwd: dir });
  assert.is(first.code, 0, first.stderr);
  for (const tool of ['pip', 'pip3', 'npm', 'npx', 'uv', 'depfence']) assert.ok(isShim(join(target, tool)));
  assert.match(readFileSync(join(target, 'npm'), 'utf8'), REPO_ROOT.replace(/\/$/, ''));
  const init = spawnSync(join(target, 'depfence'), ['shell-init', 'bash'], { env, encoding: 'utf8' });
  assert.match(init.stdout, `export PATH=${target}":$PATH"`, 'the depfence beside the installed shims puts that folder on PATH');
  const help = spawnSync(join(target, 'depfence'), ['--help'], { env, encoding: 'utf8' });
  assert.match(help.stdout, 'Usage: depfence');
  writeFileSync(join(target, 'uv'), '#!/bin/sh\necho a real uv\n');
  const second = await runCliInProcess(['install-shims', '--dir', target], { env, cwd: dir });
  assert.is(second.code, 2);
  assert.match(second.stderr, 'is not a depfence shim');
  assert.ok(existsSync(join(target, 'uv')));
});

test('doctor fails when the tools on PATH are not the shims, and names the settings that could bypass the firewall', async () => {
  const project = join(dir, 'doctor-project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
  writeFileSync(join(project, '.npmrc'), 'registry=https://mirror.example/\n');
  const env = isolatedEnv({
    PIP_EXTRA_INDEX_URL: 'https://extra.example/simple',
    PIP_CONFIG_FILE: '/dev/null',
    DEPFENCE_DATA_DIR: join(dir, 'doctor-data'),
  });
  const unshimmed = await runCliInProcess(['doctor'], { env, cwd: project });
  assert.is(unshimmed.code, 1, unshimmed.stdout);
  assert.match(unshimmed.stdout, /FAIL {2}npm: \S+ is not a depfence shim/);
  assert.match(
    unshimmed.stdout,
    'warn  pip: PIP_EXTRA_INDEX_URL https://extra.example/simple (the environment) is another package source; the shims ignore it',
  );
  assert.match(
    unshimmed.stdout,
    /FAIL {2}npm: registry https:\/\/mirror\.example\/, from \.npmrc:1: .*the shims refuse to run until it is removed or trusted/,
  );
  assert.match(unshimmed.stdout, 'info  firewall: not running');
  const shimmed = await runCliInProcess(['doctor'], { env: { ...env, PATH: `${SHIMS_DIR}:${env.PATH}` }, cwd: dir });
  assert.match(shimmed.stdout, /ok {4}npm: \S+\/shims\/npm is the depfence shim \(real npm: /);
  assert.is(shimmed.code, 0, shimmed.stdout);
});

test.run();
