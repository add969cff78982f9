// PyPI proxy benchmark: the real pip installing 20 small packages from the fixture upstream
// directly, then through `depfence serve` with a cold cache (fresh data dir) and a warm one (same
// firewall again; pip's own cache off every time), in the same run, as ratios to direct (goal:
// warm ≤ 1.3×). Then p50/p99 latency of a cached project page under 50 concurrent clients, and
// the server's resident memory. The firewall runs as a child process (`depfence serve`, from
// source under tsx), so its RSS is its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { REPO_ROOT, isolatedEnv } from '../helpers/cli.js';
import { pipInstall } from '../helpers/pip.js';

const PACKAGES = 20;
const ROUNDS = 3;
const CLIENTS = 50;
const PAGE_REQUESTS = 5_000;
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

interface Served {
  child: ChildProcess;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

async function serve(configFile: string): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-bench-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'serve', '--port', '0', '--data-dir', dataDir, '--config', configFile],
    {
      cwd: REPO_ROOT,
      env: isolatedEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /depfence listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`depfence serve exited with ${code}`)));
  });
  return {
    child,
    url,
    dataDir,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function timedInstall(indexUrl: string, names: string[]): Promise<number> {
  const started = performance.now();
  const result = await pipInstall(names, { indexUrl, timeoutMs: 300_000 });
  const elapsed = performance.now() - started;
  if (result.code !== 0) throw new Error(`pip install failed through ${indexUrl}:\n${result.output}`);
  rmSync(result.target, { recursive: true, force: true });
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** PAGE_REQUESTS GETs of one cached page from CLIENTS concurrent keep-alive clients. */
async function pageLatencies(url: string): Promise<{ p50: number; p99: number; perSecond: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const target = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = http.get(
        { host: target.hostname, port: target.port, path: target.pathname, agent, headers: { accept: PIP_ACCEPT, 'user-agent': 'bench' } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`page answered ${res.statusCode}`));
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', reject);
    });
  const client = async () => {
    while (next < PAGE_REQUESTS) {
      next++;
      await one();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: PAGE_REQUESTS / seconds };
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export default async function benchPypi(): Promise<void> {
  const pypi = await PypiUpstream.start();
  const names = Array.from({ length: PACKAGES }, (_, i) => `bench-fixture-lib-${String(i).padStart(2, '0')}`);
  for (const name of names)
    pypi.addProject(name, { releases: { '1.0.0': { uploaded: daysAgo(400) }, '1.1.0': { uploaded: daysAgo(300) } }, downloads: 50_000 });
  const scratch = mkdtempSync(join(tmpdir(), 'depfence-bench-config-'));
  const configFile = join(scratch, 'depfence.yaml');
  writeFileSync(
    configFile,
    `upstreams:\n  pypi:\n    simple: ${pypi.simpleUrl}\n    json: ${pypi.jsonUrl}\n    downloads: ${pypi.downloadsUrl}\n`,
  );

  const direct: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  let last: Served | null = null;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await timedInstall(pypi.simpleUrl, names));
      if (last) await last.stop();
      last = await serve(configFile);
      cold.push(await timedInstall(`${last.url}/-/pypi/simple/`, names));
      warm.push(await timedInstall(`${last.url}/-/pypi/simple/`, names));
    }
    const firewall = last!;
    const afterInstalls = rssOf(firewall.child.pid!);
    const pages = await pageLatencies(`${firewall.url}/-/pypi/simple/${names[0]}/`);
    const afterLoad = rssOf(firewall.child.pid!);

    const d = median(direct);
    const row = (label: string, ms: number, ratio: string) =>
      `  ${label.padEnd(34)}${(ms / 1000).toFixed(2).padStart(8)} s${ratio.padStart(10)}`;
    console.log(`pip install of ${PACKAGES} packages (median of ${ROUNDS}; pip cache off)`);
    console.log(row('direct from the fixture', d, '1.00×'));
    console.log(row('through depfence, cold cache', median(cold), `${(median(cold) / d).toFixed(2)}×`));
    console.log(row('through depfence, warm cache', median(warm), `${(median(warm) / d).toFixed(2)}×`));
    console.log(`  warm goal ≤ 1.30×: ${median(warm) / d <= 1.3 ? 'met' : 'NOT met'}`);
    console.log(`cached project page, ${CLIENTS} concurrent clients, ${PAGE_REQUESTS} requests`);
    console.log(`  p50 ${pages.p50.toFixed(2)} ms   p99 ${pages.p99.toFixed(2)} ms   ${Math.round(pages.perSecond)} req/s`);
    console.log('server memory (depfence serve under tsx)');
    console.log(
      `  RSS after installs ${afterInstalls.rss.toFixed(0)} MiB, after the page load ${afterLoad.rss.toFixed(0)} MiB, peak ${afterLoad.peak.toFixed(0)} MiB`,
    );
  } finally {
    if (last) await last.stop();
    await pypi.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
