// Shim overhead: `shims/pip --version` against the real `pip --version`, `shims/npm --version`
// against `npm --version` (both answered by the sh launcher), and `npm run` of an empty script
// (which goes through the Node shim: every command gets the firewall as its only source),
// interleaved in the same run, as medians and the difference (goal: under 100 ms added at the
// median for the launcher's fast path). Then the cold start: a `pip download` through the shim when no
// firewall runs, so the shim starts `depfence serve` and waits for it, against the same command
// once it runs. And `depfence shell-init`: the sh launcher against the Node CLI. The launchers run
// the compiled entry (dist/), as after `npm ci`; it is rebuilt first when src/shims is newer.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { searchPath } from '../../src/shims/real-tool.js';
import { readServerFile } from '../../src/server/server-file.js';
import { writeTestConfig, SHIMS_DIR } from '../shims/helpers.js';

const ROUNDS = 15;

function newestMtime(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

function ensureBuilt(): void {
  const compiled = join(REPO_ROOT, 'dist', 'shims', 'main.js');
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= newestMtime(join(REPO_ROOT, 'src', 'shims'))) return;
  console.log('building dist/ (npm run build)…');
  const built = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed; the benchmark measures the compiled shims');
}

function timeRun(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stderr }));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function compare(tool: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, goal: string): Promise<void> {
  const real = searchPath(tool, env.PATH, cwd);
  if (!real) {
    console.log(`${tool}: not installed, skipped`);
    return;
  }
  const direct: number[] = [];
  const shimmed: number[] = [];
  await timeRun(real, args, env, cwd); // warm the file cache for both
  await timeRun(join(SHIMS_DIR, tool), args, env, cwd);
  for (let round = 0; round < ROUNDS; round++) {
    direct.push((await timeRun(real, args, env, cwd)).ms);
    shimmed.push((await timeRun(join(SHIMS_DIR, tool), args, env, cwd)).ms);
  }
  const [a, b] = [median(direct), median(shimmed)];
  console.log(
    `${`${tool} ${args.join(' ')}`.padEnd(15)} real ${a.toFixed(0).padStart(5)} ms   shim ${b.toFixed(0).padStart(5)} ms   added ${(b - a).toFixed(0).padStart(4)} ms (median of ${ROUNDS}; ${goal})`,
  );
}

/** `depfence shell-init bash` (runs in every new shell): the sh launcher against the Node CLI, which answered it before. */
async function shellInitTimes(env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const launcher: number[] = [];
  const cli: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    launcher.push((await timeRun(join(SHIMS_DIR, 'depfence'), ['shell-init', 'bash'], env, cwd)).ms);
    cli.push((await timeRun(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'main.js'), 'shell-init', 'bash'], env, cwd)).ms);
  }
  const [fast, slow] = [median(launcher), median(cli)];
  console.log(
    `${'shell-init'.padEnd(15)} launcher ${fast.toFixed(0).padStart(4)} ms   node CLI ${slow.toFixed(0).padStart(5)} ms   ${(slow / fast).toFixed(0)}x (median of ${ROUNDS}; goal < 100 ms)`,
  );
}

export default async function bench(): Promise<void> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'depfence-bench-shims-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DEPFENCE_') && !/^npm_/i.test(key)) env[key] = value;
  Object.assign(env, {
    PATH: `${SHIMS_DIR}:${process.env.PATH}`,
    DEPFENCE_DATA_DIR: join(dir, 'data'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  });
  const pypi = await PypiUpstream.start();
  try {
    await compare('pip', ['--version'], env, dir, 'goal < 100 ms');
    await compare('npm', ['--version'], env, dir, 'goal < 100 ms');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', version: '1.0.0', scripts: { noop: 'true' } }));
    await compare('npm', ['run', 'noop'], env, dir, 'through the Node shim, no firewall started');
    const startup: number[] = [];
    for (let round = 0; round < ROUNDS; round++) startup.push((await timeRun(process.execPath, ['-e', '0'], env, dir)).ms);
    console.log(
      `${'node -e 0'.padEnd(15)} ${median(startup).toFixed(0).padStart(5)} ms: node's own start-up, the floor of what any node launcher adds on this machine`,
    );
    await shellInitTimes(env, dir);

    pypi.addProject('app-core', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
    const configFile = join(dir, 'depfence.yaml');
    writeTestConfig(configFile, { pypi });
    const world = { ...env, DEPFENCE_CONFIG: configFile };
    const download = (name: string) => ['download', '--no-deps', '--no-cache-dir', '--dest', join(dir, name), 'app-core'];
    const cold = await timeRun(join(SHIMS_DIR, 'pip'), download('cold'), world, dir);
    const ready = /firewall ready at \S+ \(([\d.]+) s\)/.exec(cold.stderr)?.[1];
    const warm = await timeRun(join(SHIMS_DIR, 'pip'), download('warm'), world, dir);
    if (cold.code !== 0 || warm.code !== 0)
      console.log(`pip download failed (${cold.code}, ${warm.code}):\n${cold.stderr}\n${warm.stderr}`);
    console.log(
      `cold start: pip download through the shim ${(cold.ms / 1000).toFixed(2)} s, of which starting the firewall ${ready ?? '?'} s; with the firewall running ${(warm.ms / 1000).toFixed(2)} s`,
    );
  } finally {
    const server = readServerFile(join(dir, 'data'));
    if (server) process.kill(server.pid, 'SIGTERM');
    await pypi.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
