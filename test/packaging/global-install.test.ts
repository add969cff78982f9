// depfence installed the way the README says, on a machine that has never seen it: the project is
// packed (`npm pack`, which builds dist/), installed globally into a temporary prefix from the real
// npm registry, in a temporary HOME, and then used: `depfence --help`, `eval "$(depfence
// shell-init bash)"`, an npm install through the shims (against a fixture registry), and `npx
// depfence check` in the shimmed shell. Also `npm install --save-dev` of the tarball into a
// project. Skipped, saying why, when the registry cannot be reached.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { daysAgo, NpmUpstream } from '../fixtures/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { registryUnreachableReason } from '../helpers/real-registry.js';

const test = suite('packaging/global-install');

interface Run {
  code: number | null;
  output: string;
}

function sh(script: string, options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -e\n${script}`], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function succeeded(run: Run): void {
  if (run.code !== 0) assert.unreachable(`exit code ${run.code}:\n${run.output}`);
}

/** The machine's npm cache, reused only to spare the registry: the install itself starts from nothing. */
async function machineNpmCache(): Promise<string> {
  const run = await sh('npm config get cache', { cwd: REPO_ROOT, env: process.env });
  return run.output.trim().split('\n').pop()!;
}

/** The shell lines of the README's GitHub Actions step (its `run: |` block), as written. */
function readmeActionsStep(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n# GitHub Actions\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const lines = block.split('\n');
  const start = lines.findIndex((line) => line.trim() === 'run: |');
  assert.ok(start >= 0, 'the README has a GitHub Actions step with a run: block');
  return lines
    .slice(start + 1)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Stops every firewall a shim started under `dir` (each announced in a server.json). */
function stopFirewalls(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.name !== 'server.json' || !entry.isFile()) continue;
    try {
      const { pid } = JSON.parse(readFileSync(join(entry.parentPath, entry.name), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

test('the README quick start, from a clone: shell-init puts depfence and the shims on PATH', async () => {
  const home = mkdtempSync(join(tmpdir(), 'depfence-quick-'));
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|DEPFENCE_|XDG_)/i.test(key)) env[key] = value;
    const run = await sh('eval "$(shims/depfence shell-init bash)"\ndepfence check --offline pypi:reqeusts npm:react || echo "exit $?"', {
      cwd: REPO_ROOT,
      env: { ...env, HOME: home },
    });
    succeeded(run);
    assert.match(run.output, /DENY\s+pypi:reqeusts/);
    assert.match(run.output, /ALLOW\s+npm:react/);
    assert.match(run.output, 'exit 1');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

const reason = await registryUnreachableReason('node-fetch');
if (reason !== null) {
  console.log(`  skipping the packaging test: ${reason}`);
  test.skip('the packed tarball installs globally and works on a fresh machine', () => {});
} else {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let tarball: string;
  let upstream: NpmUpstream;

  test.before(async () => {
    root = mkdtempSync(join(tmpdir(), 'depfence-pack-'));
    const home = join(root, 'home');
    mkdirSync(home);
    env = {};
    for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|DEPFENCE_|XDG_|PIP_)/i.test(key)) env[key] = value;
    Object.assign(env, {
      HOME: home,
      npm_config_prefix: join(root, 'prefix'),
      npm_config_cache: await machineNpmCache(),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      PATH: `${join(root, 'prefix', 'bin')}:${process.env.PATH ?? ''}`,
    });
    const packed = await sh(`npm pack --silent --pack-destination ${JSON.stringify(root)}`, { cwd: REPO_ROOT, env });
    succeeded(packed);
    tarball = join(root, packed.output.trim().split('\n').pop()!);
    upstream = await NpmUpstream.start();
    upstream.addPackage('left-pad', {
      versions: { '1.1.0': { published: daysAgo(300), files: { 'index.js': 'module.exports = (s) => s;\n' } } },
      downloads: 5_000_000,
    });
  });

  test.after(async () => {
    stopFirewalls(root);
    await upstream.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('npm install -g of the tarball gives a depfence command, and its shims install through the firewall', async () => {
    const installed = await sh(`npm install -g ${JSON.stringify(tarball)}`, { cwd: root, env });
    succeeded(installed);

    const project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    writeFileSync(
      join(project, 'depfence.yaml'),
      stringify({ upstreams: { npm: { registry: upstream.registryUrl, downloads: upstream.downloadsUrl } }, server: { port: 0 } }),
    );
    const used = await sh(
      [
        'depfence --help | grep -q "Usage: depfence"',
        'eval "$(depfence shell-init bash)"',
        'head -c 512 "$(command -v npm)" | grep -q depfence-shim',
        'npm install left-pad',
        'node -e "require(\'left-pad\')"',
        'npx depfence check npm:left-pad',
      ].join('\n'),
      { cwd: project, env },
    );
    succeeded(used);
    assert.match(used.output, /ALLOW\s+npm:left-pad/);
    assert.not.match(used.output, /no package named depfence/);
  });

  test("the README's GitHub Actions step runs as written: install-shims, then doctor finds no problem", async () => {
    const workspace = join(root, 'ci');
    const runnerTemp = join(workspace, 'runner');
    const githubPath = join(workspace, 'github-path');
    mkdirSync(join(workspace, 'vendor'), { recursive: true });
    mkdirSync(runnerTemp);
    copyFileSync(tarball, join(workspace, 'vendor', basename(tarball)));
    const step = readmeActionsStep();
    assert.match(step, basename(tarball), 'the README names the tarball npm pack writes');
    const run = await sh(step, { cwd: workspace, env: { ...env, RUNNER_TEMP: runnerTemp, GITHUB_PATH: githubPath } });
    succeeded(run);
    assert.match(run.output, /no problems/);
    const shimDir = join(runnerTemp, 'depfence-bin');
    assert.is(readFileSync(githubPath, 'utf8').trim(), shimDir);
    const later = await sh('head -c 512 "$(command -v npm)"', { cwd: workspace, env: { ...env, PATH: `${shimDir}:${env.PATH ?? ''}` } });
    assert.match(later.output, 'depfence-shim', 'a later step with GITHUB_PATH applied runs npm through the shim');
  });

  test('npm install --save-dev of the tarball puts depfence in the project', async () => {
    const project = join(root, 'dev-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'dev-app', version: '1.0.0', private: true }));
    const run = await sh(`npm install --save-dev ${JSON.stringify(tarball)}\nnpx depfence --help`, {
      cwd: project,
      env: { ...env, PATH: process.env.PATH },
    });
    succeeded(run);
    assert.match(run.output, /Usage: depfence/);
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    assert.ok(manifest.devDependencies?.depfence, JSON.stringify(manifest));
  });
}

test.run();
