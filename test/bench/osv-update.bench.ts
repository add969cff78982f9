// Threat-data benchmark: `depfence update --from` (the built CLI, as users run it) over a generated
// OSV export of 200,000 records (npm and PyPI; malicious-package records and vulnerabilities with
// CVSS vectors and several range forms), reporting wall time and peak RSS against the goals (60 s,
// 300 MiB); then the cost of the index inside decisions: one package's lookup (absent, first time,
// cached) and judging versions with and without the index, side by side in one run.
// The export is generated once into the temp folder and reused (DEPFENCE_BENCH_OSV_RECORDS changes its size).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeVersion, type PolicyContext } from '../../src/policy/index.js';
import { indexPath, loadIndex } from '../../src/sources/osv/index-file.js';
import { ThreatData } from '../../src/sources/osv/threat-data.js';
import { CVSS_CRITICAL, CVSS_HIGH, CVSS4_MEDIUM, osvRecord, writeZip, type OsvRecord } from '../fixtures/osv-export.js';
import { contextWith } from '../helpers/policy.js';

const RECORDS = Number(process.env.DEPFENCE_BENCH_OSV_RECORDS ?? 200_000);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GOAL_SECONDS = 60;
const GOAL_MIB = 300;

/** Record i of an ecosystem's export: mostly malicious packages, one in seven a vulnerability. */
function record(i: number, ecosystem: 'npm' | 'PyPI'): OsvRecord {
  const name = `${ecosystem === 'npm' ? 'pkg' : 'py-pkg'}-${i % 60_000}`;
  const details = `Generated record ${i}. `.repeat(20);
  if (i % 7 !== 0) {
    const affected =
      i % 3 === 0
        ? { name, versions: ['1.0.0', '1.0.1', `2.${i % 10}.0`] }
        : { name, ranges: [{ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }] }] };
    return { ...osvRecord({ id: `MAL-2026-${i}`, ecosystem, affected: [affected], summary: `Malicious code in ${name}` }), details };
  }
  const severity = [
    { type: 'CVSS_V3', score: [CVSS_CRITICAL, CVSS_HIGH][i % 2]! },
    ...(i % 5 === 0 ? [{ type: 'CVSS_V4', score: CVSS4_MEDIUM }] : []),
  ];
  const events: Record<string, string>[] = [
    { introduced: '1.0.0' },
    { fixed: `1.${i % 9}.1` },
    { introduced: '2.0.0' },
    { [i % 2 ? 'fixed' : 'last_affected']: `2.${i % 9}.3` },
  ];
  const ranges = [{ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events }];
  return {
    ...osvRecord({
      id: `GHSA-${i.toString(36).padStart(4, '0')}-bnch-mark`,
      ecosystem,
      aliases: [`CVE-2026-${i}`],
      severity,
      affected: [{ name, ranges }],
      summary: `A flaw in ${name}`,
    }),
    details,
  };
}

async function generate(dir: string): Promise<void> {
  const split = { npm: Math.round(RECORDS * 0.75), PyPI: RECORDS - Math.round(RECORDS * 0.75) };
  const zipCli = (() => {
    try {
      execFileSync('zip', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  for (const [ecosystem, count] of Object.entries(split) as ['npm' | 'PyPI', number][]) {
    const out = join(dir, ecosystem, 'all.zip');
    const records = (function* () {
      for (let i = 0; i < count; i++) yield record(i, ecosystem);
    })();
    if (!zipCli) {
      await writeZip(out, records);
      continue;
    }
    // The system zip deflates like the feed and is much quicker than a JavaScript zip writer.
    const files = join(dir, `${ecosystem}-files`);
    mkdirSync(files, { recursive: true });
    for (const entry of records) writeFileSync(join(files, `${String(entry.id)}.json`), JSON.stringify(entry));
    mkdirSync(join(dir, ecosystem), { recursive: true });
    execFileSync('sh', ['-c', `cd "${files}" && ls | zip -q -@ "${out}"`], { stdio: 'inherit' });
    rmSync(files, { recursive: true, force: true });
  }
  writeFileSync(join(dir, 'complete'), '');
}

/** Runs the built CLI's update; peak RSS comes from the child itself, reported at exit. */
function timedUpdate(feed: string, dataDir: string): Promise<{ seconds: number; cpuSeconds: number; peakMiB: number; output: string }> {
  const preload = join(dataDir, 'report-rss.cjs');
  writeFileSync(
    preload,
    "process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeSync(2, `\\nPEAK_RSS_KIB ${u.maxRSS} CPU_US ${u.userCPUTime + u.systemCPUTime}\\n`); });\n",
  );
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--require', preload, join(ROOT, 'dist', 'cli', 'main.js'), 'update', '--from', feed, '--data-dir', dataDir],
      {
        env: { ...process.env, DEPFENCE_FEEDS__OSV__AUTO_UPDATE: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const kib = Number(/PEAK_RSS_KIB (\d+)/.exec(output)?.[1] ?? NaN);
      const cpuSeconds = Number(/CPU_US (\d+)/.exec(output)?.[1] ?? NaN) / 1e6;
      if (code !== 0) return reject(new Error(`update exited ${code}:\n${output}`));
      resolve({ seconds, cpuSeconds, peakMiB: kib / 1024, output });
    });
  });
}

function perCall(runs: number, body: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) body(i);
  return Number(process.hrtime.bigint() - start) / runs / 1000;
}

export default async function run(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  const feed = join(tmpdir(), `depfence-bench-osv-${RECORDS}-v1`);
  if (!existsSync(join(feed, 'complete'))) {
    rmSync(feed, { recursive: true, force: true });
    const started = Date.now();
    await generate(feed);
    console.log(
      `generated a ${RECORDS.toLocaleString('en-US')}-record export in ${((Date.now() - started) / 1000).toFixed(0)} s (${feed}, kept for the next run)`,
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-bench-osv-data-'));
  try {
    const result = await timedUpdate(feed, dataDir);
    const verdict = (ok: boolean) => (ok ? 'within the goal' : 'OVER THE GOAL');
    console.log(
      `update --from, ${RECORDS.toLocaleString('en-US')} records: ${result.seconds.toFixed(1)} s wall (${verdict(result.seconds < GOAL_SECONDS)} of ${GOAL_SECONDS} s), ${result.cpuSeconds.toFixed(1)} s CPU, peak RSS ${result.peakMiB.toFixed(0)} MiB (${verdict(result.peakMiB < GOAL_MIB)} of ${GOAL_MIB} MiB); load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    );

    const loadStart = process.hrtime.bigint();
    const index = loadIndex(indexPath(dataDir));
    console.log(
      `index: ${index.size.toLocaleString('en-US')} packages; loaded in ${(Number(process.hrtime.bigint() - loadStart) / 1e6).toFixed(0)} ms`,
    );

    const threatData = ThreatData.forDataDir(dataDir);
    const withIndex: PolicyContext = contextWith({ advisories: threatData });
    const without: PolicyContext = contextWith();
    const now = new Date();
    const versions = ['1.0.0', '1.0.1', '1.3.0', '1.9.9', '2.0.0', '2.4.3', '2.8.0', '3.0.0'];
    const subject = (i: number, name: string) => ({
      ecosystem: 'npm' as const,
      name,
      canonicalName: name,
      version: versions[i % versions.length]!,
      published: new Date(0),
    });
    const RUNS = 50_000;
    const absent = perCall(RUNS, (i) => threatData.forPackage('npm', `not-in-index-${i}`));
    const cold = perCall(RUNS, (i) => index.forPackage('npm', `pkg-${(i * 7919) % 60_000}`));
    const warm = perCall(RUNS, () => threatData.forPackage('npm', 'pkg-7'));
    // 2,000 packages × 8 versions: the first pass judges each version against its advisories, the
    // next ones find the verdict kept (a packument is judged again on every read).
    const FIRST = 2000 * versions.length;
    const judge = (ctx: PolicyContext) => (i: number) =>
      judgeVersion(subject(i, `pkg-${Math.floor(i / versions.length) % 2000}`), ctx, now);
    const judgedFirst = perCall(FIRST, judge(withIndex));
    const judgedAgain = perCall(RUNS, judge(withIndex));
    const judgedWithout = perCall(RUNS, judge(without));
    console.log(
      `lookup per package: absent ${absent.toFixed(2)} µs, first time (search + parse) ${cold.toFixed(2)} µs, cached ${warm.toFixed(2)} µs`,
    );
    console.log(
      `judging one version (as the npm filter and PyPI pages do): without the index ${judgedWithout.toFixed(2)} µs; with it ${judgedFirst.toFixed(2)} µs the first time (×${(judgedFirst / judgedWithout).toFixed(2)}), ${judgedAgain.toFixed(2)} µs after (×${(judgedAgain / judgedWithout).toFixed(2)})`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
