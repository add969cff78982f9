// uv through the shim. This machine has no uv, so a recording stand-in named `uv` (a script that
// writes its arguments and the uv-related environment to a file) sits behind the shim on PATH and
// shows what the shim passes: the firewall as the default and only index, the machine's index
// variables cleared, arguments untouched. Bypasses in uv's configuration are refused. A test with
// the real uv runs where one exists.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { findUv } from '../helpers/pip.js';
import { notices, runShim, shimWorld, startWorldFirewall, type ShimWorld } from './helpers.js';

const test = suite('shims/uv');
let pypi: PypiUpstream;
let world: ShimWorld;
let firewall: TestFirewall;
let standInDir: string;
let record: string;

interface Recorded {
  argv: string[];
  env: Record<string, string | null>;
}

const STAND_IN = `#!/bin/sh
# a stand-in for uv: records what it was given
{
  printf '{"argv":['
  sep=''
  for arg in "$@"; do printf '%s"%s"' "$sep" "$(printf '%s' "$arg" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')"; sep=','; done
  printf '],"env":{'
  sep=''
  for name in UV_DEFAULT_INDEX UV_INDEX UV_INDEX_URL UV_EXTRA_INDEX_URL UV_FIND_LINKS UV_INDEX_STRATEGY; do
    eval "set=\\\${$name+x}; value=\\\${$name}"
    if [ -n "$set" ]; then printf '%s"%s":"%s"' "$sep" "$name" "$value"; else printf '%s"%s":null' "$sep" "$name"; fi
    sep=','
  done
  printf '}}\\n'
} > "$UV_RECORD_FILE"
echo "uv 0.0.0-stand-in"
`;

function recorded(): Recorded {
  return JSON.parse(readFileSync(record, 'utf8')) as Recorded;
}

async function uv(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; w?: ShimWorld } = {}) {
  const w = options.w ?? world;
  return runShim('uv', args, { env: { ...w.env, UV_RECORD_FILE: record, ...options.env }, cwd: options.cwd ?? w.dir });
}

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('app-core', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  pypi.addProject('reqeusts', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 40 });
  standInDir = mkdtempSync(join(tmpdir(), 'depfence-uv-stand-in-'));
  world = shimWorld({ pypi, pathBefore: [standInDir] });
  writeFileSync(join(standInDir, 'uv'), STAND_IN);
  chmodSync(join(standInDir, 'uv'), 0o755);
  record = join(world.dir, 'uv-record.json');
  firewall = await startWorldFirewall(world);
});

test.after(async () => {
  await firewall.close();
  await pypi.close();
  world.remove();
  rmSync(standInDir, { recursive: true, force: true });
});

test("uv pip install: the firewall is the default index, the machine's indexes are cleared with a notice, the arguments are untouched", async () => {
  const run = await uv(['pip', 'install', '--system', 'app-core==1.0.0'], {
    env: {
      UV_INDEX: 'corp=https://pypi.corp.example/simple',
      UV_EXTRA_INDEX_URL: 'https://extra.example/simple',
      UV_INDEX_STRATEGY: 'unsafe-best-match',
    },
  });
  assert.is(run.code, 0, run.output);
  const { argv, env } = recorded();
  assert.equal(argv, ['pip', 'install', '--system', 'app-core==1.0.0']);
  assert.equal(env, {
    UV_DEFAULT_INDEX: firewall.simpleUrl,
    UV_INDEX: null,
    UV_INDEX_URL: null,
    UV_EXTRA_INDEX_URL: null,
    UV_FIND_LINKS: null,
    UV_INDEX_STRATEGY: 'first-index',
  });
  const lines = notices(run);
  assert.ok(
    lines.includes(
      'depfence: ignoring UV_INDEX https://pypi.corp.example/simple from the environment (packages come only from the firewall)',
    ),
    lines.join('\n'),
  );
  assert.ok(
    lines.includes(
      'depfence: ignoring UV_EXTRA_INDEX_URL https://extra.example/simple from the environment (packages come only from the firewall)',
    ),
  );
  assert.ok(
    lines.includes('depfence: ignoring UV_INDEX_STRATEGY unsafe-best-match from the environment (packages come only from the firewall)'),
  );
  assert.ok(
    firewall.audit().some((r) => r.name === 'app-core' && r.version === '1.0.0' && r.subject === 'pre-flight' && r.client === 'uv'),
  );
});

test('uv add of a typosquat is refused by depfence (exit 1) before uv runs', async () => {
  writeFileSync(record, '');
  const run = await uv(['add', 'reqeusts']);
  assert.is(run.code, 1, run.output);
  assert.match(run.stderr, 'DENY   pypi:reqeusts');
  assert.is(readFileSync(record, 'utf8'), '', 'uv never ran');
});

test('uv --version passes straight through without starting the firewall', async () => {
  const idle = shimWorld({ pypi, pathBefore: [standInDir] });
  try {
    const run = await uv(['--version'], { w: idle });
    assert.is(run.code, 0, run.output);
    assert.equal(recorded().argv, ['--version']);
    assert.equal(recorded().env.UV_DEFAULT_INDEX, null);
    assert.not.ok(existsSync(join(idle.dataDir, 'server.json')) || existsSync(join(idle.dataDir, 'serve.log')));
  } finally {
    idle.remove();
  }
});

const REFUSED: Record<string, { files?: Record<string, string>; args: string[]; names: string[] }> = {
  '--index on the command line': {
    args: ['add', '--index', 'https://pypi.corp.example/simple', 'app-core'],
    names: ['--index https://pypi.corp.example/simple, from the command line'],
  },
  '--extra-index-url in a requirements file': {
    files: { 'req.txt': 'app-core\n--extra-index-url https://extra.example/simple\n' },
    args: ['pip', 'install', '-r', 'req.txt'],
    names: ['req.txt:2'],
  },
  '[[tool.uv.index]] in pyproject.toml': {
    files: {
      'pyproject.toml':
        '[project]\nname = "p"\nversion = "1"\n\n[[tool.uv.index]]\nname = "corp"\nurl = "https://pypi.corp.example/simple"\n',
    },
    args: ['sync'],
    names: ['[[tool.uv.index]] https://pypi.corp.example/simple, from pyproject.toml:7'],
  },
  'a git source in tool.uv.sources': {
    files: {
      'pyproject.toml':
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["tool"]\n\n[tool.uv.sources]\ntool = { git = "https://github.com/someone/tool" }\n',
    },
    args: ['lock'],
    names: ['tool.uv.sources.tool https://github.com/someone/tool, from pyproject.toml:7'],
  },
  '[[index]] in uv.toml': {
    files: { 'uv.toml': '[[index]]\nurl = "https://pypi.corp.example/simple"\n' },
    args: ['pip', 'install', 'app-core'],
    names: ['[[index]] https://pypi.corp.example/simple, from uv.toml:2'],
  },
  'a direct URL dependency in pyproject.toml': {
    files: { 'pyproject.toml': '[project]\nname = "p"\nversion = "1"\ndependencies = ["dep @ https://example.invalid/dep.whl"]\n' },
    args: ['sync'],
    names: ['project.dependencies https://example.invalid/dep.whl, from pyproject.toml:4'],
  },
};

for (const [name, { files, args, names }] of Object.entries(REFUSED)) {
  test(`refused before uv runs (exit 2): ${name}`, async () => {
    const dir = join(world.dir, name.replace(/\W+/g, '-'));
    mkdirSync(dir);
    for (const [file, text] of Object.entries(files ?? {})) writeFileSync(join(dir, file), text);
    writeFileSync(record, '');
    const run = await uv(args, { cwd: dir });
    assert.is(run.code, 2, run.output);
    assert.match(run.stderr, 'depfence: refusing to run uv');
    for (const text of names) assert.match(run.stderr, text);
    assert.is(readFileSync(record, 'utf8'), '', 'uv never ran');
  });
}

test('the real uv installs through the shim (where uv is installed)', async () => {
  const real = findUv();
  if (!real) {
    console.log('  skipped: no uv on this machine (PATH has none); the stand-in tests above cover what the shim passes to uv');
    return;
  }
  const w = shimWorld({ pypi });
  try {
    const served = await startWorldFirewall(w);
    const target = join(w.dir, 'target');
    const run = await runShim('uv', ['pip', 'install', '--target', target, 'app-core'], {
      env: { ...w.env, UV_CACHE_DIR: join(w.dir, 'uv-cache') },
      cwd: w.dir,
    });
    assert.is(run.code, 0, run.output);
    assert.ok(existsSync(join(target, 'app_core-1.0.0.dist-info')));
    assert.ok(served.audit().some((r) => r.name === 'app-core' && r.client === 'uv' && r.subject === 'project page'));
    await served.close();
  } finally {
    w.remove();
  }
});

test.run();
