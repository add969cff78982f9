// The real pip through the pip shim (shims/ first on PATH) against a fixture PyPI behind a firewall
// the test starts, with the machine's own pip settings (PIP_FIND_LINKS, pip.conf's extra index)
// left in place: installs go through the firewall, typosquats are explained by depfence before pip
// runs, every way around the firewall is refused (exit 2), and the machine's settings are ignored
// with a notice. pip takes seconds per run, so the runs go concurrently in `before`.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { notices, runShim, shimWorld, startWorldFirewall, type ShimRun, type ShimWorld } from './helpers.js';

const test = suite('shims/pip');
const old = { uploaded: daysAgo(400) };
let pypi: PypiUpstream;
let evil: PypiUpstream;
let world: ShimWorld;
let trustedWorld: ShimWorld;
let firewall: TestFirewall;
let trustedFirewall: TestFirewall;
const runs: Record<string, ShimRun> = {};
const targets: Record<string, string> = {};

/** Refused invocations: the arguments after `pip install`, and what the refusal must name. */
const REFUSED: Record<string, { args: string[]; names: string[] }> = {
  'extra index on the command line': {
    args: ['--extra-index-url', 'http://example.invalid/simple', 'app-core'],
    names: ['--extra-index-url http://example.invalid/simple', 'the command line'],
  },
  'index URL on the command line': {
    args: ['-i', 'http://example.invalid/simple', 'app-core'],
    names: ['-i http://example.invalid/simple'],
  },
  'find-links on the command line': { args: ['--find-links=/opt/wheels', 'app-core'], names: ['--find-links /opt/wheels'] },
  'trusted host on the command line': {
    args: ['--trusted-host', 'example.invalid', 'app-core'],
    names: ['--trusted-host example.invalid'],
  },
  'an abbreviated option (optparse accepts prefixes)': {
    args: ['--extra-ind', 'http://example.invalid/simple', 'app-core'],
    names: ['--extra-ind http://example.invalid/simple'],
  },
  'a direct URL requirement': {
    args: ['app-core @ https://example.invalid/app_core-1.0.0-py3-none-any.whl'],
    names: ['direct URL https://example.invalid/app_core-1.0.0-py3-none-any.whl'],
  },
  'a VCS requirement': {
    args: ['git+https://example.invalid/app-core.git'],
    names: ['direct URL git+https://example.invalid/app-core.git'],
  },
  'an extra index in a requirements file included by another': {
    args: ['-r', 'outer.txt'],
    names: ['--extra-index-url http://example.invalid/simple', 'inner.txt:2 (included from outer.txt:1)'],
  },
  'find-links in a constraints file': { args: ['-c', 'constraints.txt', 'app-core'], names: ['-f /opt/wheels', 'constraints.txt:1'] },
  'a direct URL dependency in a local project': {
    args: ['./project'],
    names: ['project.dependencies https://example.invalid/dep.whl, from project/pyproject.toml:4'],
  },
};

function pipInstall(key: string, w: ShimWorld, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const target = join(w.dir, `target-${key.replace(/\W+/g, '-')}`);
  targets[key] = target;
  return runShim('pip', ['install', '--target', target, '--no-cache-dir', '--no-compile', ...args], {
    env: { ...w.env, ...env },
    cwd: w.dir,
  }).then((run) => {
    runs[key] = run;
  });
}

const installed = (key: string) =>
  existsSync(targets[key]!)
    ? readdirSync(targets[key]!)
        .filter((entry) => entry.endsWith('.dist-info'))
        .sort()
    : [];

test.before(async () => {
  pypi = await PypiUpstream.start();
  evil = await PypiUpstream.start();
  pypi.addProject('app-core', { releases: { '1.0.0': { ...old, dependencies: ['app-util>=1'] } }, downloads: 50_000 });
  pypi.addProject('app-util', { releases: { '1.0.0': old }, downloads: 50_000 });
  pypi.addProject('reqeusts', { releases: { '1.0.0': old }, downloads: 40 });
  // aenum is also on this machine's own extra index (pip.conf): only 0.0.1 may be installed
  pypi.addProject('aenum', { releases: { '0.0.1': old }, downloads: 50_000 });
  evil.addProject('app-core', { releases: { '9.0.0': old } });
  evil.addProject('evil-only', { releases: { '1.0.0': old } });
  pypi.addProject('evil-only', { releases: { '1.0.0': old }, downloads: 50_000 });

  world = shimWorld({ pypi });
  firewall = await startWorldFirewall(world);
  trustedWorld = shimWorld({ pypi, extra: { shims: { trustedUrls: [evil.simpleUrl], startTimeout: '90s' } } });
  trustedFirewall = await startWorldFirewall(trustedWorld);

  writeFileSync(join(world.dir, 'outer.txt'), '-r inner.txt\napp-core\n');
  writeFileSync(join(world.dir, 'inner.txt'), '# the internal mirror\n--extra-index-url http://example.invalid/simple\napp-util\n');
  writeFileSync(join(world.dir, 'constraints.txt'), '-f /opt/wheels\napp-util<2\n');
  mkdirSync(join(world.dir, 'project'));
  writeFileSync(
    join(world.dir, 'project', 'pyproject.toml'),
    '[project]\nname = "local-project"\nversion = "1.0"\ndependencies = ["dep @ https://example.invalid/dep.whl"]\n',
  );

  await Promise.all([
    pipInstall('install', world, ['app-core']),
    pipInstall('typosquat', world, ['reqeusts']),
    pipInstall('machine settings', world, ['aenum'], { PIP_EXTRA_INDEX_URL: evil.simpleUrl }),
    pipInstall('trusted extra index', trustedWorld, ['--extra-index-url', evil.simpleUrl, 'evil-only']),
    ...Object.entries(REFUSED).map(([name, { args }]) => pipInstall(name, world, args)),
  ]);
});

test.after(async () => {
  await firewall.close();
  await trustedFirewall.close();
  await pypi.close();
  await evil.close();
  world.remove();
  trustedWorld.remove();
});

test('pip install through the shim installs from the firewall, which checks and logs it first', () => {
  const run = runs.install!;
  assert.is(run.code, 0, run.output);
  assert.equal(installed('install'), ['app_core-1.0.0.dist-info', 'app_util-1.0.0.dist-info']);
  assert.match(run.output, `${firewall.url}/-/pypi/files/`);
  const audit = firewall.audit();
  assert.ok(
    audit.some((r) => r.name === 'app-core' && r.subject === 'pre-flight' && r.client === 'pip' && r.decision === 'allow'),
    'pre-flight decision logged',
  );
  assert.ok(
    audit.some((r) => r.name === 'app-util' && r.subject === 'project page' && r.client === 'pip'),
    'the dependency came through the firewall',
  );
});

test('a typosquat is refused by depfence (exit 1) with the check, the evidence and how to allow it, before pip runs', () => {
  const run = runs.typosquat!;
  assert.is(run.code, 1, run.output);
  assert.match(run.stderr, 'depfence: pip install not run: a package it names is denied by the policy');
  assert.match(run.stderr, 'DENY   pypi:reqeusts');
  assert.match(run.stderr, 'typosquat: reqeusts looks like a typosquat of requests');
  assert.match(run.stderr, 'to allow it, add to "allow:" in depfence.yaml');
  assert.not.match(run.output, 'Collecting', 'pip never ran');
  assert.is(pypi.requestsTo(pypi.route.file()).filter((r) => r.path.includes('reqeusts')).length, 0);
});

for (const [name, { names }] of Object.entries(REFUSED)) {
  test(`refused before pip runs (exit 2): ${name}`, () => {
    const run = runs[name]!;
    assert.is(run.code, 2, run.output);
    assert.match(run.stderr, 'depfence: refusing to run pip install: it would fetch packages around the firewall');
    for (const text of names) assert.match(run.stderr, text);
    assert.match(run.stderr, 'shims: { trustedUrls: [');
    assert.not.match(run.output, 'Collecting', 'pip never ran');
  });
}

test("the machine's own package sources (environment, pip.conf) are ignored with a notice naming each", () => {
  const run = runs['machine settings']!;
  assert.is(run.code, 0, run.output);
  assert.equal(installed('machine settings'), ['aenum-0.0.1.dist-info'], 'only the firewall was asked');
  assert.is(evil.requests.filter((r) => r.path.includes('aenum')).length, 0, 'the extra index from the environment was never asked');
  const lines = notices(run);
  assert.ok(
    lines.includes(`depfence: ignoring PIP_EXTRA_INDEX_URL ${evil.simpleUrl} from the environment (packages come only from the firewall)`),
    lines.join('\n'),
  );
  for (const expected of machineSettings()) assert.ok(lines.includes(expected), `expected "${expected}" in:\n${lines.join('\n')}`);
  assert.not.ok(
    lines.some((line) => /\b(cert|constraint|timeout)\b/.test(line)),
    'settings that are not package sources are kept silently',
  );
  const conf = readdirSync(join(world.dataDir, 'shims'))
    .filter((file) => file.endsWith('.conf'))
    .map((file) => readFileSync(join(world.dataDir, 'shims', file), 'utf8'));
  assert.ok(
    conf.length > 0 && conf.every((text) => text.includes(`index-url = ${firewall.simpleUrl}`) && !text.includes('/opt/pypi')),
    'pip is handed a config file without them',
  );
});

test('an extra index listed in shims.trustedUrls is used, and the shim says so', () => {
  const run = runs['trusted extra index']!;
  assert.is(run.code, 0, run.output);
  assert.ok(
    notices(run).includes(`depfence: using --extra-index-url ${evil.simpleUrl} from the command line (trusted in shims.trustedUrls)`),
    run.stderr,
  );
  assert.ok(evil.requests.some((r) => r.path.includes('evil-only')));
});

test('commands that fetch nothing pass straight through without starting the firewall', async () => {
  const idle = shimWorld({ pypi });
  try {
    const [version, list] = await Promise.all([
      runShim('pip', ['--version'], { env: idle.env, cwd: idle.dir }),
      runShim('pip', ['list', '--format', 'freeze'], { env: idle.env, cwd: idle.dir }),
    ]);
    assert.is(version.code, 0, version.output);
    assert.match(version.stdout, /^pip \d+/);
    assert.is(list.code, 0, list.output);
    assert.equal(notices(version), []);
    assert.not.ok(existsSync(join(idle.dataDir, 'server.json')) || existsSync(join(idle.dataDir, 'serve.log')), 'no firewall was started');
  } finally {
    idle.remove();
  }
});

test('`python3 -m pip` goes through the pip shim once shell-init is evaluated', async () => {
  const script = `eval "$(node --import tsx ${JSON.stringify(join(REPO_ROOT, 'src/cli/main.ts'))} shell-init bash)"; python3 -m pip install --extra-index-url http://example.invalid/simple app-core`;
  const run = await runShim('bash', ['-c', script], { env: world.env, cwd: REPO_ROOT });
  assert.is(run.code, 2, run.output);
  assert.match(run.stderr, 'refusing to run pip install');
});

/** The notices the machine's own pip settings must produce: PIP_FIND_LINKS and the user pip.conf's sources. */
function machineSettings(): string[] {
  const expected: string[] = [];
  for (const variable of ['PIP_FIND_LINKS', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST']) {
    const value = world.env[variable];
    if (variable !== 'PIP_EXTRA_INDEX_URL' && value)
      for (const item of value.split(/\s+/).filter(Boolean))
        expected.push(`depfence: ignoring ${variable} ${item} from the environment (packages come only from the firewall)`);
  }
  const userConf = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'pip', 'pip.conf');
  if (existsSync(userConf)) {
    for (const match of readFileSync(userConf, 'utf8').matchAll(/^(extra-index-url|find-links)\s*=\s*(.+)$/gm)) {
      for (const item of match[2]!.trim().split(/\s+/))
        expected.push(`depfence: ignoring ${match[1]} ${item} from ${userConf} (packages come only from the firewall)`);
    }
  }
  return expected;
}

test.run();
