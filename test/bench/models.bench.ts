// Model benchmark.
// 1. Pickle scanning throughput (MB/s) on generated inputs of 500 MB (models-gen.py): a PyTorch
//    zip checkpoint (the scanner reads the zip directory and data.pkl; tensor entries are skipped
//    unread), the same bytes as one raw pickle with the tensors inline (every byte passes the
//    scanner, which counts past them), and an opcode-dense pickle. Peak RSS is sampled during each
//    scan: it should stay flat whatever the file size.
// 2. Download overhead through the firewall (`depfence serve`, a child process) against the
//    fixture Hub's CDN directly, for a 200 MB safetensors file, cold (first fetch: download, hash,
//    inspect, cache) and warm (from the cache), median of ROUNDS, in the same run (goal: warm ≤ 1.1×).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectModelFile } from '../../src/protocol/models/inspect.js';
import { withFileAccess } from '../../src/sources/file-access.js';
import { isolatedEnv, spawnServe } from '../helpers/cli.js';

const SCAN_MB = Number(process.env.DEPFENCE_BENCH_SCAN_MB ?? 500);
const DOWNLOAD_MB = Number(process.env.DEPFENCE_BENCH_DOWNLOAD_MB ?? 200);
const ROUNDS = 3;

export default async function run(): Promise<void> {
  await scanBenchmark();
  await downloadBenchmark();
}

async function scanBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-bench-models-'));
  try {
    const generator = fileURLToPath(new URL('./models-gen.py', import.meta.url));
    const made = spawnSync('python3', [generator, dir, String(SCAN_MB)], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`models-gen.py failed: ${made.stderr}`);
    console.log(`pickle scan (policy.models.pickle: scan), inputs of ${SCAN_MB} MB:`);
    for (const [file, name] of [
      ['checkpoint.pt', 'pytorch_model.bin'],
      ['inline.pkl', 'model.pkl'],
      ['dense.pkl', 'model.pkl'],
    ] as const) {
      const path = join(dir, file);
      const bytes = statSync(path).size;
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      const inspection = await withFileAccess(path, (access) => inspectModelFile(name, access, 'scan'));
      const cpu = process.cpuUsage(cpuBefore);
      const seconds = (performance.now() - started) / 1000;
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const mb = bytes / 1024 / 1024;
      // CPU time too: on a shared machine the wall clock mostly measures the other processes.
      console.log(
        `  ${file.padEnd(14)} ${mb.toFixed(0).padStart(5)} MB  wall ${seconds.toFixed(2).padStart(6)} s (${(mb / seconds).toFixed(0).padStart(6)} MB/s)  ` +
          `cpu ${cpuSeconds.toFixed(2).padStart(6)} s (${(mb / cpuSeconds).toFixed(0).padStart(6)} MB/s)  peak RSS +${((peak - before) / 1024 / 1024).toFixed(1)} MB  verdict: ${inspection.problem ?? 'safe'}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function downloadBenchmark(): Promise<void> {
  const upstream = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./hf-hub-process.ts', import.meta.url)), String(DOWNLOAD_MB)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const hub = await new Promise<{ hub: string; cdn: string; id: string; commit: string; sha256: string; size: number }>(
    (resolve, reject) => {
      let out = '';
      upstream.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      upstream.once('exit', (code) => reject(new Error(`the fixture Hub exited with ${code}`)));
    },
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-bench-hf-'));
  const configFile = join(dataDir, 'depfence.yaml');
  writeFileSync(configFile, `upstreams:\n  huggingface:\n    endpoint: ${hub.hub}\n    files: [${hub.cdn}]\nnetwork:\n  timeout: 120s\n`);
  const served = await spawnServe(['--port', '0', '--data-dir', join(dataDir, 'data'), '--config', configFile], { env: isolatedEnv() });
  try {
    const direct = `${hub.cdn}${hub.sha256}`;
    const through = `${served.url}/-/hf/${hub.id}/resolve/${hub.commit}/model.safetensors`;
    const cold = await timedGet(through, hub.size);
    const directTimes: number[] = [];
    const warmTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      directTimes.push(await timedGet(direct, hub.size));
      warmTimes.push(await timedGet(through, hub.size));
    }
    const directMs = median(directTimes);
    const warmMs = median(warmTimes);
    console.log(`download of a ${DOWNLOAD_MB} MB safetensors file (median of ${ROUNDS}; Hub, firewall and client each a process):`);
    console.log(`  direct from the fixture CDN   ${directMs.toFixed(0).padStart(6)} ms`);
    console.log(
      `  through the firewall, cold    ${cold.toFixed(0).padStart(6)} ms  (${(cold / directMs).toFixed(2)}×: fetch, sha256, inspect, cache)`,
    );
    console.log(`  through the firewall, warm    ${warmMs.toFixed(0).padStart(6)} ms  (${(warmMs / directMs).toFixed(2)}×; goal ≤ 1.1×)`);
  } finally {
    served.child.kill('SIGTERM');
    await served.exited;
    upstream.stdin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function timedGet(url: string, expectedBytes: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  if (bytes !== expectedBytes) throw new Error(`${url} sent ${bytes} bytes, not ${expectedBytes}`);
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
