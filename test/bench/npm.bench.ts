// `npm run bench -- npm`: `npm install` of a fixture project of about 50 packages, straight from the
// fixture registry, through a bare Verdaccio 6.8.0 (no depfence plugins) and through depfence, cold
// (empty server storage) and warm (server storage full; npm's own cache empty every time), as
// times and ratios, and each server's RSS after the installs. Servers run in child processes (this
// file, started with `--serve`), so their memory is their own.
//
// Goal: depfence within 1.15× of bare Verdaccio, warm.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { makeProject, runNpm } from '../helpers/npm-client.js';

type Target = 'fixture' | 'verdaccio' | 'depfence';

const PACKAGES = 50;
const DIRECT = 10;
const WARM_RUNS = 5;
const TSX = import.meta.resolve('tsx');
const HERE = fileURLToPath(import.meta.url);

// ── the fixture: 50 packages, the first 10 depended on directly, each pulling in a few others ──

function populate(npm: NpmUpstream): Record<string, string> {
  const name = (i: number) => `bench-pkg-${String(i).padStart(2, '0')}`;
  for (let i = 0; i < PACKAGES; i++) {
    const dependencies: Record<string, string> = {};
    if (i < DIRECT) for (let j = DIRECT + i * 4; j < DIRECT + i * 4 + 4 && j < PACKAGES; j++) dependencies[name(j)] = '^1.0.0';
    const files = { 'index.js': `module.exports = ${JSON.stringify('x'.repeat(2_000 + i * 300))};\n`, 'README.md': `# ${name(i)}\n${'lorem ipsum '.repeat(400)}` };
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

interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startChild(target: Exclude<Target, 'fixture'>, npm: NpmUpstream, dataDir: string): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', TSX, HERE, '--serve', target, npm.registryUrl, npm.downloadsUrl, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
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

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kib / 1024);
}

/** `--serve verdaccio|depfence REGISTRY DOWNLOADS DATADIR`: run one server until SIGTERM. */
async function serve(target: string, registry: string, downloads: string, dataDir: string): Promise<void> {
  const { defaultConfig } = await import('../helpers/policy.js');
  const config = defaultConfig();
  config.upstreams.npm = { registry, downloads, internal: null };
  config.server = { ...config.server, host: '127.0.0.1', port: 0, dataDir };
  let close: () => Promise<void>;
  if (target === 'depfence') {
    const { startServer } = await import('../../src/server/app.js');
    const { ecosystemMounts } = await import('../../src/server/mounts.js');
    const running = await startServer({ config, mounts: ecosystemMounts });
    process.stdout.write(`listening ${running.url}\n`);
    close = () => running.close();
  } else {
    const { buildVerdaccioConfig, verdaccioPaths } = await import('../../src/server/npm/verdaccio-config.js');
    const { mkdirSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    const { runServer } = await import('verdaccio');
    // The same Verdaccio settings depfence uses, minus its filter; tarballs cached by Verdaccio.
    const settings = buildVerdaccioConfig({ paths: verdaccioPaths(dataDir), registry, internal: null, confusion: config.policy.confusion.npm, network: config.network });
    for (const uplink of Object.values(settings.uplinks)) uplink.cache = true;
    for (const dir of [settings.storage, dirname(settings.log.path)]) mkdirSync(dir, { recursive: true });
    const server = (await runServer(settings as never)) as import('node:http').Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    process.stdout.write(`listening http://127.0.0.1:${port}\n`);
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }
  process.once('SIGTERM', () => void close().finally(() => process.exit(0)));
}

// ── the measurement ─────────────────────────────────────────────────────────────────────────────

async function install(registry: string, dependencies: Record<string, string>): Promise<number> {
  const project = makeProject({ dependencies });
  try {
    const started = performance.now();
    const run = await runNpm(['install', '--prefer-online'], { cwd: project.dir, registry });
    const elapsed = performance.now() - started;
    if (run.code !== 0) throw new Error(`npm install through ${registry} failed:\n${run.output}`);
    const installed = Object.keys(project.lockfile().packages).length - 1;
    if (installed !== PACKAGES) throw new Error(`expected ${PACKAGES} packages, npm installed ${installed}`);
    return elapsed;
  } finally {
    project.remove();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export default async function benchNpm(): Promise<void> {
  const npm = await NpmUpstream.start();
  const dependencies = populate(npm);
  const targets = ['fixture', 'verdaccio', 'depfence'] as const;
  const dataDirs: string[] = [];
  const servers = new Map<Target, ChildServer>();
  const cold = new Map<Target, number>();
  const warm = new Map<Target, number[]>(targets.map((target) => [target, []]));
  const rss = new Map<Target, number>();
  try {
    await install(npm.registryUrl, dependencies); // warms npm itself and the fixture's code paths
    for (const target of targets) {
      if (target === 'fixture') continue;
      const dataDir = mkdtempSync(join(tmpdir(), `depfence-bench-${target}-`));
      dataDirs.push(dataDir);
      servers.set(target, await startChild(target, npm, dataDir));
    }
    const urlOf = (target: Target) => servers.get(target)?.url ?? npm.registryUrl;
    for (const target of targets) cold.set(target, await install(urlOf(target), dependencies));
    // Warm rounds interleave the targets, so a busy moment on the machine costs each the same.
    for (let round = 0; round < WARM_RUNS; round++) {
      for (const target of targets) warm.get(target)!.push(await install(urlOf(target), dependencies));
    }
    for (const [target, server] of servers) rss.set(target, rssMiB(server.pid));
  } finally {
    for (const server of servers.values()) await server.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await npm.close();
  }
  const warmOf = (target: Target) => median(warm.get(target)!);
  const coldOf = (target: Target) => cold.get(target)!;
  console.log(`npm install, ${PACKAGES} packages (${DIRECT} direct), npm cache empty each run; warm = median of ${WARM_RUNS}, interleaved`);
  console.log('target      cold ms  warm ms  cold/fixture  warm/fixture  server RSS after');
  for (const target of targets) {
    const memory = rss.has(target) ? `${rss.get(target)} MiB` : '-';
    console.log(
      `${target.padEnd(10)}  ${coldOf(target).toFixed(0).padStart(7)}  ${warmOf(target).toFixed(0).padStart(7)}  ${(coldOf(target) / coldOf('fixture')).toFixed(2).padStart(12)}  ${(warmOf(target) / warmOf('fixture')).toFixed(2).padStart(12)}  ${memory.padStart(16)}`,
    );
  }
  const warmRatio = warmOf('depfence') / warmOf('verdaccio');
  console.log(`depfence / bare Verdaccio: cold ${(coldOf('depfence') / coldOf('verdaccio')).toFixed(2)}x, warm ${warmRatio.toFixed(2)}x (goal <= 1.15x warm: ${warmRatio <= 1.15 ? 'met' : 'NOT met'})`);
}

if (process.argv[1] === HERE && process.argv[2] === '--serve') {
  const [target, registry, downloads, dataDir] = process.argv.slice(3) as [string, string, string, string];
  await serve(target, registry, downloads, dataDir);
}
