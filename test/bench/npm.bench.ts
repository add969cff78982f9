// `npm run bench -- npm`: `npm install` of a fixture project of about 50 packages, straight from the
// fixture registry, through a bare Verdaccio 6.8.0 (no depfence plugins) and through depfence, cold
// (empty server storage) and warm (server storage full; npm's own cache empty every time), as
// times and ratios, and each server's RSS after the installs. Servers run in child processes, so
// their memory is their own: `depfence serve` from dist/ as users run it (`npm run build` first; see
// serve-process.ts), bare Verdaccio from this file, started with `--serve`.
//
// BENCH_BASELINE=<another depfence checkout, built> adds it as a fourth target (`baseline`, its
// dist/ run the same way), for before/after figures from one run.
//
// Goals: depfence within 1.15× of bare Verdaccio cold, 1.05× warm.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { makeProject, runNpm } from '../helpers/npm-client.js';
import { startServe, type ChildServer } from './serve-process.js';

type Target = 'fixture' | 'verdaccio' | 'baseline' | 'depfence';

const PACKAGES = 50;
const DIRECT = 10;
const WARM_RUNS = 5;
const COLD_RUNS = 5;
const TSX = import.meta.resolve('tsx');
const HERE = fileURLToPath(import.meta.url);
const BASELINE = process.env.BENCH_BASELINE;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Verdaccio rechecks its uplink after this long: depfence's default network.cacheTtl (5m). */
const VERDACCIO_MAXAGE_MS = 5 * 60_000;

// ── the fixture: 50 packages, the first 10 depended on directly, each pulling in a few others ──

export function populate(npm: NpmUpstream): Record<string, string> {
  const name = (i: number) => `bench-pkg-${String(i).padStart(2, '0')}`;
  for (let i = 0; i < PACKAGES; i++) {
    const dependencies: Record<string, string> = {};
    if (i < DIRECT) for (let j = DIRECT + i * 4; j < DIRECT + i * 4 + 4 && j < PACKAGES; j++) dependencies[name(j)] = '^1.0.0';
    const files = {
      'index.js': `module.exports = ${JSON.stringify('x'.repeat(2_000 + i * 300))};\n`,
      'README.md': `# ${name(i)}\n${'lorem ipsum '.repeat(400)}`,
    };
    npm.addPackage(name(i), {
      versions: {
        '1.0.0': { published: daysAgo(500), dependencies, files },
        '1.1.0': { published: daysAgo(400), dependencies, files },
        '1.2.0': { published: daysAgo(300), dependencies, files },
      },
      downloads: 5_000_000,
    });
  }
  return Object.fromEntries(Array.from({ length: DIRECT }, (_, i) => [name(i), '^1.0.0']));
}

// ── servers in child processes ──────────────────────────────────────────────────────────────────

/** The depfence builds run from their dist/ (`npm run build` first); bare Verdaccio from this file, started with `--serve`. */
export async function startChild(target: Exclude<Target, 'fixture'>, npm: NpmUpstream, dataDir: string): Promise<ChildServer> {
  if (target !== 'verdaccio') return startServe(join(target === 'baseline' ? BASELINE! : ROOT, 'dist', 'cli', 'main.js'), npm, dataDir);
  const child = spawn(process.execPath, ['--import', TSX, HERE, '--serve', npm.registryUrl, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the ${target} server exited (${code}) before listening`)));
  });
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** RSS of a process and its children (depfence's registry process), in MiB. */
export function rssMiB(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, each) => sum + ownRssMiB(each), 0);
}

/** RSS of one process, in MiB (0 if it is gone). */
export function ownRssMiB(pid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

export function childrenOf(pid: number): number[] {
  try {
    const direct = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return direct.flatMap((child) => [child, ...childrenOf(child)]);
  } catch {
    return [];
  }
}

/** `--serve REGISTRY DATADIR`: bare Verdaccio until SIGTERM. */
async function serveVerdaccio(registry: string, dataDir: string): Promise<void> {
  const { runServer } = await import('verdaccio');
  const server = (await runServer(bareVerdaccioConfig(registry, dataDir, VERDACCIO_MAXAGE_MS))) as import('node:http').Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Verdaccio as a team would run it in front of the same registry: one uplink, tarballs cached, no web UI, no plugins. */
export function bareVerdaccioConfig(registry: string, dataDir: string, maxageMs: number): Record<string, unknown> {
  mkdirSync(join(dataDir, 'verdaccio'), { recursive: true });
  const rule = { access: '$all', publish: '$authenticated', proxy: 'upstream' };
  return {
    configPath: join(dataDir, 'verdaccio', 'config.yaml'),
    storage: join(dataDir, 'verdaccio', 'storage'),
    web: { enable: false },
    uplinks: { upstream: { url: registry, cache: true, maxage: `${maxageMs}ms` } },
    packages: { '@*/*': rule, '**': rule },
    log: { type: 'file', path: join(dataDir, 'verdaccio', 'verdaccio.log'), format: 'json', level: 'warn' },
  };
}

// ── the measurement ─────────────────────────────────────────────────────────────────────────────

interface Run {
  ms: number;
  /** CPU time the server (with its children) spent on the install; 0 for the fixture. */
  cpuMs: number;
}

async function install(registry: string, dependencies: Record<string, string>, server?: ChildServer): Promise<Run> {
  const project = makeProject({ dependencies });
  try {
    const pids = server ? [server.pid, ...childrenOf(server.pid)] : [];
    const cpuBefore = cpuMs(pids);
    const started = performance.now();
    const run = await runNpm(['install', '--prefer-online'], { cwd: project.dir, registry });
    const elapsed = performance.now() - started;
    const cpu = cpuMs(pids) - cpuBefore;
    if (run.code !== 0) throw new Error(`npm install through ${registry} failed:\n${run.output}`);
    const installed = Object.keys(project.lockfile().packages).length - 1;
    if (installed !== PACKAGES) throw new Error(`expected ${PACKAGES} packages, npm installed ${installed}`);
    return { ms: elapsed, cpuMs: cpu };
  } finally {
    project.remove();
  }
}

/** User + system CPU time of these processes so far, in ms (Linux clock ticks are 10 ms). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function benchNpm(): Promise<void> {
  const npm = await NpmUpstream.start();
  const dependencies = populate(npm);
  const targets: Target[] = BASELINE ? ['fixture', 'verdaccio', 'baseline', 'depfence'] : ['fixture', 'verdaccio', 'depfence'];
  const dataDirs: string[] = [];
  const servers = new Map<Target, ChildServer>();
  const cold = new Map<Target, Run[]>(targets.map((target) => [target, []]));
  const warm = new Map<Target, Run[]>(targets.map((target) => [target, []]));
  const rss = new Map<Target, number>();
  const fresh = async (target: Exclude<Target, 'fixture'>) => {
    await servers.get(target)?.stop();
    const dataDir = mkdtempSync(join(tmpdir(), `depfence-bench-${target}-`));
    dataDirs.push(dataDir);
    servers.set(target, await startChild(target, npm, dataDir));
  };
  try {
    await install(npm.registryUrl, dependencies); // warms npm itself and the fixture's code paths
    const through = (target: Target) => install(servers.get(target)?.url ?? npm.registryUrl, dependencies, servers.get(target));
    // Cold: empty server storage and caches (a fresh data dir each time), interleaved.
    for (let round = 0; round < COLD_RUNS; round++) {
      for (const target of targets) {
        if (target !== 'fixture') await fresh(target);
        cold.get(target)!.push(await through(target));
      }
    }
    // Warm rounds interleave the targets, so a busy moment on the machine costs each the same.
    for (let round = 0; round < WARM_RUNS; round++) {
      for (const target of targets) warm.get(target)!.push(await through(target));
    }
    for (const [target, server] of servers) rss.set(target, rssMiB(server.pid));
  } finally {
    for (const server of servers.values()) await server.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await npm.close();
  }
  const warmOf = (target: Target) => median(warm.get(target)!.map((run) => run.ms));
  const coldOf = (target: Target) => median(cold.get(target)!.map((run) => run.ms));
  const cpuOf = (runs: Run[]) => median(runs.map((run) => run.cpuMs)).toFixed(0);
  console.log(
    `npm install, ${PACKAGES} packages (${DIRECT} direct), npm cache empty each run; cold = median of ${COLD_RUNS} (fresh server data), warm = median of ${WARM_RUNS}, interleaved`,
  );
  console.log('target      cold ms  warm ms  cold/fixture  warm/fixture  server CPU ms cold/warm  server RSS after (with children)');
  for (const target of targets) {
    const memory = rss.has(target) ? `${rss.get(target)} MiB` : '-';
    const cpu = target === 'fixture' ? '-' : `${cpuOf(cold.get(target)!)} / ${cpuOf(warm.get(target)!)}`;
    console.log(
      `${target.padEnd(10)}  ${coldOf(target).toFixed(0).padStart(7)}  ${warmOf(target).toFixed(0).padStart(7)}  ${(coldOf(target) / coldOf('fixture')).toFixed(2).padStart(12)}  ${(warmOf(target) / warmOf('fixture')).toFixed(2).padStart(12)}  ${cpu.padStart(23)}  ${memory.padStart(16)}`,
    );
  }
  const list = (runs: Run[]) => runs.map((run) => run.ms.toFixed(0)).join(', ');
  for (const target of targets)
    console.log(`  ${target}: cold runs ${list(cold.get(target)!)} ms; warm runs ${list(warm.get(target)!)} ms`);
  for (const target of targets.filter((each) => each === 'baseline' || each === 'depfence')) {
    const warmRatio = warmOf(target) / warmOf('verdaccio');
    const coldRatio = coldOf(target) / coldOf('verdaccio');
    console.log(
      `${target} / bare Verdaccio: cold ${coldRatio.toFixed(2)}x (goal <= 1.15x: ${coldRatio <= 1.15 ? 'met' : 'NOT met'}), warm ${warmRatio.toFixed(2)}x (goal <= 1.05x: ${warmRatio <= 1.05 ? 'met' : 'NOT met'})`,
    );
  }
}

if (process.argv[1] === HERE && process.argv[2] === '--serve') {
  const [registry, dataDir] = process.argv.slice(3) as [string, string];
  await serveVerdaccio(registry, dataDir);
}
