// `npm run bench -- startup`: how long things take to start, side by side in one run (median of
// RUNS, interleaved): `depfence --help` and `depfence check --offline npm:react` against `node -e 0`,
// and `depfence serve` until its npm registry answers `/-/ping` against a bare Verdaccio 6.8.0
// (its own CLI, the same storage and uplink settings) until it answers the same.
// Runs the built CLI (dist/): run `npm run build` first.
//
// Goal: depfence serve ready within 1.3× of bare Verdaccio ready.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { bareVerdaccioConfig } from './npm.bench.js';

const RUNS = 5;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const VERDACCIO = join(ROOT, 'node_modules', 'verdaccio', 'bin', 'verdaccio');

function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DEPFENCE_') && !/^npm_/i.test(key)) env[key] = value;
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') };
}

/** Wall time of a command that runs to its end. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: 'ignore', cwd: env.HOME });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawn → the first 200 from `/-/ping` on `port`; then the server is stopped. */
async function timeReady(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore', cwd: env.HOME });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode}) before it was ready`);
      const ok = await fetch(`http://127.0.0.1:${port}/-/ping`).then(
        (answer) => answer.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function benchStartup(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const scratch = mkdtempSync(join(tmpdir(), 'depfence-bench-startup-'));
  const env = isolatedEnv(scratch);
  const times = new Map<string, number[]>();
  const add = (label: string, ms: number) => times.set(label, [...(times.get(label) ?? []), ms]);
  try {
    for (let round = 0; round < RUNS; round++) {
      add('node -e 0', await timeRun(['-e', '0'], env));
      add('depfence --help', await timeRun([CLI, '--help'], env));
      add('depfence check --offline npm:react', await timeRun([CLI, 'check', '--offline', 'npm:react'], env));

      const verdaccioDir = join(scratch, `verdaccio-${round}`);
      const config = bareVerdaccioConfig('https://registry.npmjs.org/', verdaccioDir, 120_000);
      const yamlFile = join(verdaccioDir, 'verdaccio', 'config.yaml');
      writeFileSync(yamlFile, stringify({ ...config, configPath: undefined }));
      const verdaccioPort = await freePort();
      add(
        'bare verdaccio ready',
        await timeReady([VERDACCIO, '--config', yamlFile, '--listen', `127.0.0.1:${verdaccioPort}`], env, verdaccioPort),
      );

      const depfencePort = await freePort();
      add(
        'depfence serve ready',
        await timeReady(
          [CLI, 'serve', '--port', String(depfencePort), '--data-dir', join(scratch, `depfence-${round}`)],
          env,
          depfencePort,
        ),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const nodeMs = median(times.get('node -e 0')!);
  console.log(`start-up, median of ${RUNS} (interleaved)`);
  console.log('what                                    ms     ratio');
  for (const [label, values] of times) {
    const base = label.endsWith('ready') ? median(times.get('bare verdaccio ready')!) : nodeMs;
    const against = label.endsWith('ready') ? 'bare verdaccio' : 'node -e 0';
    console.log(`${label.padEnd(36)} ${median(values).toFixed(0).padStart(6)}  ${(median(values) / base).toFixed(2)}x ${against}`);
  }
  const ready = median(times.get('depfence serve ready')!) / median(times.get('bare verdaccio ready')!);
  console.log(`depfence serve ready / bare verdaccio ready: ${ready.toFixed(2)}x (goal <= 1.3x: ${ready <= 1.3 ? 'met' : 'NOT met'})`);
}
