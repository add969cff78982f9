// `npm run bench -- rss`: the memory of `depfence serve` (with its registry process) under a
// long load: 200 concurrent clients on loopback asking for packuments (both forms) and tarballs of
// the 50-package fixture for BENCH_RSS_SECONDS (default 300), RSS sampled every second and printed
// every 30 s with the range since the last line.
//
// Under load RSS is a sawtooth (the heap grows between major collections and shrinks after them,
// by up to a quarter of the total), so one sample against another says more about where each fell
// in the cycle than about growth. Growth is the mean over the last minute against the mean over
// minute 1 (60-120 s); the floors (lowest sample) of the two minutes, the best sign of memory that
// is kept, are printed beside it.
//
// Runs the built CLI (dist/, as users run it; `npm run build` first), so no TypeScript loader's
// memory is counted.
//
// BENCH_BASELINE=<another depfence checkout, built> runs its dist/ first, the same way, for
// before/after figures from one run.
//
// Goals: peak RSS <= 400 MiB; no growth from minute 1 to the last minute (at most +10%).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';
import { NpmUpstream } from '../fixtures/index.js';
import { childrenOf, cpuMs, ownRssMiB, populate, rssMiB } from './npm.bench.js';
import { startServe } from './serve-process.js';

const CLIENTS = 200;
const SECONDS = Number(process.env.BENCH_RSS_SECONDS ?? 300);
const SAMPLE_MS = 1_000;
const PRINT_MS = 30_000;
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BASELINE = process.env.BENCH_BASELINE;

const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

function get(agent: Agent, base: URL, path: string, accept: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, path, agent, headers: { accept } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

export default async function benchNpmLoad(): Promise<void> {
  const runs: [string, string][] = BASELINE
    ? [
        ['baseline', resolve(BASELINE, 'dist', 'cli', 'main.js')],
        ['depfence', CLI],
      ]
    : [['depfence', CLI]];
  const results: string[] = [];
  for (const [label, cli] of runs) results.push(await measure(label, cli));
  if (runs.length > 1) console.log(`side by side:\n${results.join('\n')}`);
}

/** One load run against one build; returns its summary line. */
async function measure(label: string, cli: string): Promise<string> {
  const npm = await NpmUpstream.start();
  populate(npm);
  const names = Array.from({ length: 50 }, (_, i) => `bench-pkg-${String(i).padStart(2, '0')}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-bench-load-'));
  const server = await startServe(cli, npm, dataDir);
  const base = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  let ok = 0;
  let failed = 0;
  let cpu: number[] = [];
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const client = async (id: number) => {
    for (let i = id; Date.now() < deadline; i++) {
      const name = names[i % names.length]!;
      const version = ['1.0.0', '1.1.0', '1.2.0'][i % 3]!;
      const path = i % 3 === 0 ? `/${name}/-/${name}-${version}.tgz` : `/${name}`;
      const status = await get(agent, base, path, i % 2 === 0 ? ABBREVIATED : 'application/json');
      if (status === 200) ok++;
      else failed++;
    }
  };
  const samples: { second: number; rss: number }[] = [];
  const sampler = setInterval(() => samples.push({ second: (Date.now() - started) / 1000, rss: rssMiB(server.pid) }), SAMPLE_MS);
  const printer = setInterval(() => {
    const second = (Date.now() - started) / 1000;
    const recent = window(samples, second - PRINT_MS / 1000, second);
    const parts = [server.pid, ...childrenOf(server.pid)].map(ownRssMiB).join(' + ');
    console.log(
      `  ${String(Math.round(second)).padStart(4)} s  RSS ${rssMiB(server.pid)} MiB (${parts}); last 30 s ${recent.min}-${recent.max}, mean ${recent.mean} MiB  (${ok} answered, ${failed} failed)`,
    );
  }, PRINT_MS);
  try {
    console.log(
      `${label} (${cli}): ${CLIENTS} clients for ${SECONDS} s against depfence serve (loopback), RSS of depfence and its registry process each second`,
    );
    console.log(`     0 s  RSS ${rssMiB(server.pid)} MiB`);
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    cpu = [server.pid, ...childrenOf(server.pid)].map((pid) => cpuMs([pid]));
  } finally {
    clearInterval(sampler);
    clearInterval(printer);
    agent.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await npm.close();
  }
  const peak = Math.max(...samples.map((sample) => sample.rss));
  const perThousand = cpu.map((ms) => ((ms / Math.max(1, ok + failed)) * 1000).toFixed(0)).join(' + ');
  const lines = [
    `${label}: ${ok} requests answered 200, ${failed} otherwise; ${(ok / SECONDS).toFixed(0)} per second; CPU ${perThousand} ms per 1000 requests (depfence + registry process, start-up included)`,
    `${label}: peak RSS ${peak} MiB over ${samples.length} samples (goal <= 400: ${peak <= 400 ? 'met' : 'NOT met'})`,
  ];
  const minuteOne = window(samples, 60, 120);
  const lastMinute = window(samples, SECONDS - 60, SECONDS);
  if (SECONDS >= 180 && minuteOne.count > 0 && lastMinute.count > 0) {
    const growth = lastMinute.mean / minuteOne.mean - 1;
    lines.push(
      `${label}: mean RSS 60-120 s ${minuteOne.mean} MiB, last minute ${lastMinute.mean} MiB: ${(growth * 100).toFixed(1)}% (goal: no growth, <= +10%: ${growth <= 0.1 ? 'met' : 'NOT met'}); floors ${minuteOne.min} and ${lastMinute.min} MiB (${((lastMinute.min / minuteOne.min - 1) * 100).toFixed(1)}%)`,
    );
  }
  for (const line of lines) console.log(line);
  return lines.join('\n');
}

/** Lowest, highest and mean RSS of the samples taken from `from` to `to` seconds. */
function window(
  samples: { second: number; rss: number }[],
  from: number,
  to: number,
): { count: number; min: number; max: number; mean: number } {
  const inside = samples.filter((sample) => sample.second >= from && sample.second <= to).map((sample) => sample.rss);
  if (inside.length === 0) return { count: 0, min: 0, max: 0, mean: 0 };
  const mean = Math.round(inside.reduce((sum, rss) => sum + rss, 0) / inside.length);
  return { count: inside.length, min: Math.min(...inside), max: Math.max(...inside), mean };
}
