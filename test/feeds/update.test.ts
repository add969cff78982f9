// `depfence update --from DIR` over fixture OSV exports: every range form, withdrawn, multi-package
// and malformed records; then `depfence check` against the index; a bad zip, an empty export and an
// interrupted update each leave the old index in force.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isolatedEnv, runCliInProcess, REPO_ROOT } from '../helpers/cli.js';
import { CVSS4_MEDIUM, CVSS_HIGH, osvRecord, sharedExport, writeOsvExport, writeZip, type OsvExport } from '../fixtures/osv-export.js';
import { indexPath, loadIndex } from '../../src/sources/osv/index-file.js';
import { runThreatDataUpdate } from '../../src/sources/osv/update-thread.js';
import { UpdateError } from '../../src/sources/osv/update-error.js';
import { defaultConfig } from '../helpers/policy.js';

const test = suite('feeds/update');
let scratch: string;
let feed: string;
let dataDir: string;
const env = isolatedEnv();

function fullExport(): OsvExport {
  const shared = sharedExport();
  const semver = (events: Record<string, string>[]) => [{ type: 'SEMVER', events }];
  const multi = osvRecord({
    id: 'GHSA-mult-ipkg-0001',
    summary: 'One flaw in three packages',
    severity: [{ type: 'CVSS_V3', score: CVSS_HIGH }],
    affected: [
      { name: 'pkg-a', ranges: semver([{ introduced: '0' }, { fixed: '1.0.1' }]) },
      { name: 'pkg-b', ranges: semver([{ introduced: '0' }, { fixed: '2.0.0' }]) },
      { name: 'pkg-c', ecosystem: 'PyPI', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0' }] }] },
    ],
  });
  return {
    npm: [
      ...shared.npm,
      multi,
      osvRecord({
        id: 'GHSA-last-affe-cted',
        databaseSeverity: 'HIGH',
        affected: [{ name: 'lastpkg', ranges: semver([{ introduced: '0' }, { last_affected: '2.0.0' }]) }],
      }),
      osvRecord({
        id: 'GHSA-limi-tpkg-0001',
        databaseSeverity: 'CRITICAL',
        affected: [{ name: 'limitpkg', ranges: semver([{ introduced: '1.0.0' }, { limit: '2.0.0' }]) }],
      }),
      osvRecord({
        id: 'GHSA-mult-rang-0001',
        databaseSeverity: 'CRITICAL',
        affected: [
          { name: 'multipkg', ranges: semver([{ introduced: '3.0.0' }, { fixed: '3.2.5' }, { introduced: '1.0.0' }, { fixed: '1.0.2' }]) },
        ],
      }),
      osvRecord({
        id: 'GHSA-prer-elea-0001',
        databaseSeverity: 'CRITICAL',
        affected: [{ name: 'prepkg', ranges: semver([{ introduced: '2.0.0-alpha.1' }, { fixed: '2.0.0' }]) }],
      }),
      osvRecord({
        id: 'GHSA-cvss-four-0001',
        severity: [{ type: 'CVSS_V4', score: CVSS4_MEDIUM }],
        affected: [{ name: 'v4pkg', ranges: semver([{ introduced: '0' }]) }],
      }),
      osvRecord({
        id: 'GHSA-gitr-ange-0001',
        databaseSeverity: 'CRITICAL',
        affected: [{ name: 'gitpkg', versions: ['0.9.0'], ranges: [{ type: 'GIT', events: [{ introduced: 'abc123' }] }] }],
      }),
      osvRecord({
        id: 'MAL-2026-999',
        withdrawn: '2026-11-02T00:00:00Z',
        affected: [{ name: 'wasbad', ranges: semver([{ introduced: '0' }]) }],
      }),
      osvRecord({ id: 'MAL-2026-998', affected: [{ name: 'oddmal', ranges: semver([{ introduced: 'not-a-version' }]) }] }),
      { file: 'broken.json', text: '{"id": "GHSA-brok-en00-0001", "affected": [' },
    ],
    pypi: [
      ...shared.pypi,
      multi,
      osvRecord({ id: 'PYSEC-2026-9', ecosystem: 'PyPI', databaseSeverity: 'CRITICAL', affected: [{ name: 'Eq_Pkg', versions: ['1.0'] }] }),
    ],
  };
}

async function check(...specs: string[]) {
  const result = await runCliInProcess(['check', '--offline', '--json', '--data-dir', dataDir, ...specs], { env });
  const { results } = JSON.parse(result.stdout) as {
    results: {
      name: string;
      version: string | null;
      decision: string;
      findings: { check: string; severity: string; message: string; evidence: Record<string, unknown> }[];
    }[];
  };
  return { code: result.code, results, stdout: result.stdout };
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-feeds-'));
  feed = await writeOsvExport(join(scratch, 'feed'), fullExport());
  dataDir = join(scratch, 'data');
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('update --from builds the index: counts, withdrawn and malformed records skipped with a warning', async () => {
  const result = await runCliInProcess(['update', '--from', feed, '--data-dir', dataDir, '--json'], { env });
  assert.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as {
    rebuilt: boolean;
    index: { feeds: Record<string, { counts: Record<string, number>; source: string }> };
  };
  assert.is(report.rebuilt, true);
  assert.equal(report.index.feeds.npm!.counts, { records: 13, malicious: 3, vulnerabilities: 8, withdrawn: 1, malformed: 1, packages: 11 });
  assert.is(report.index.feeds.npm!.source, join(feed, 'npm', 'all.zip'));
  assert.is(report.index.feeds.pypi!.counts.vulnerabilities, 4);
  assert.match(result.stderr, /broken\.json skipped: not JSON/);
  assert.match(result.stderr, /MAL-2026-998: oddmal: a SEMVER range is skipped: introduced: "not-a-version"/);
  assert.match(result.stderr, /taken to affect every version/);
  const index = loadIndex(indexPath(dataDir));
  assert.is(index.forPackage('npm', 'wasbad'), null, 'withdrawn');
  assert.is(index.forPackage('npm', 'pkg-c'), null, 'a PyPI package of a multi-package record is not an npm one');
  assert.ok(index.forPackage('pypi', 'pkg-c'));
  assert.ok(index.forPackage('pypi', 'leftfix'), 'PyPI names are indexed PEP 503-normalised');
});

test('check: a malicious version and a critical-vulnerability version are denied, the fix named; neighbours allowed', async () => {
  const { code, results } = await check(
    'npm:leftfix@1.2.0',
    'npm:leftfix@1.1.0',
    'npm:leftfix@1.1.1',
    'npm:evil-thing',
    'pypi:leftfix==1.1.0',
    'pypi:LeftFix==1.2.0',
  );
  assert.is(code, 1);
  const [mal, vuln, fixed, evil, pyVuln, pyMal] = results;
  assert.is(mal!.decision, 'deny');
  assert.match(
    mal!.findings.find((f) => f.check === 'malicious')!.message,
    /leftfix 1\.2\.0 is a known-malicious version \(MAL-2026-100: Malicious code in leftfix \(npm\)\)/,
  );
  assert.is(vuln!.decision, 'deny');
  const finding = vuln!.findings.find((f) => f.check === 'vulnerability')!;
  assert.match(finding.message, /GHSA-left-fix0-crit \(critical, CVSS 9\.8\): Prototype pollution in leftfix; use 1\.1\.1 or later/);
  assert.equal(
    [finding.evidence.advisory, finding.evidence.upgradeTo, finding.evidence.fixed],
    ['GHSA-left-fix0-crit', '1.1.1', ['1.1.1']],
  );
  assert.is(fixed!.findings.filter((f) => f.check === 'vulnerability' || f.check === 'malicious').length, 0);
  assert.is(evil!.decision, 'deny');
  assert.match(evil!.findings.find((f) => f.check === 'malicious')!.message, /evil-thing is a known-malicious package \(MAL-2026-101/);
  assert.is(pyVuln!.decision, 'deny');
  const pyFindings = pyVuln!.findings.filter((f) => f.check === 'vulnerability');
  assert.equal(pyFindings.map((f) => f.evidence.advisory).sort(), ['GHSA-pyle-ftfx-crit', 'PYSEC-2026-7']);
  assert.match(
    pyFindings.find((f) => f.evidence.advisory === 'PYSEC-2026-7')!.evidence.severitySource as string,
    /^GHSA-pyle-ftfx-crit: CVSS:3\.1/,
    'inherited from its alias',
  );
  assert.is(pyMal!.decision, 'deny');
});

test('range forms: last_affected, limit, several ranges, prereleases, GIT (versions list), CVSS v4, PEP 440 equality', async () => {
  const verdict = async (spec: string) => {
    const { results } = await check(spec);
    const finding = results[0]!.findings.find((f) => f.check === 'vulnerability' || f.check === 'malicious');
    return finding ? finding.severity : 'none';
  };
  const cases: [string, string][] = [
    ['npm:lastpkg@2.0.0', 'warn'],
    ['npm:lastpkg@2.0.1', 'none'],
    ['npm:limitpkg@1.5.0', 'deny'],
    ['npm:limitpkg@2.0.0', 'none'],
    ['npm:limitpkg@0.9.0', 'none'],
    ['npm:multipkg@1.0.1', 'deny'],
    ['npm:multipkg@1.0.2', 'none'],
    ['npm:multipkg@3.2.4', 'deny'],
    ['npm:multipkg@3.2.5', 'none'],
    ['npm:multipkg@2.0.0', 'none'],
    ['npm:prepkg@2.0.0-beta.1', 'deny'],
    ['npm:prepkg@2.0.0', 'none'],
    ['npm:prepkg@1.9.9', 'none'],
    ['npm:gitpkg@0.9.0', 'deny'],
    ['npm:gitpkg@1.0.0', 'none'],
    ['npm:v4pkg@1.0.0', 'info'],
    ['npm:oddmal@5.0.0', 'deny'],
    ['npm:pkg-a@1.0.0', 'warn'],
    ['npm:pkg-b@1.9.0', 'warn'],
    ['npm:pkg-b@2.0.0', 'none'],
    ['pypi:eq-pkg==1.0.0', 'deny'],
    ['pypi:pkg-c==2.9', 'warn'],
    ['pypi:pkg-c==3.0', 'none'],
  ];
  const got: [string, string][] = [];
  for (const [spec] of cases) got.push([spec, await verdict(spec)]);
  assert.equal(got, cases);
});

test('a package asked about as a whole: advisories on some versions are listed, not denied', async () => {
  const { results } = await check('npm:leftfix');
  assert.equal(
    results[0]!.findings.filter((f) => (f.check === 'malicious' || f.check === 'vulnerability') && f.severity !== 'info'),
    [],
  );
  const summary = results[0]!.findings.find((f) => f.check === 'malicious')!;
  assert.is(summary.severity, 'info');
  assert.match(
    summary.message,
    /known-malicious versions \(MAL-2026-100\), which are hidden, and 1 known vulnerability in some versions \(GHSA-left-fix0-crit critical\); versions affected by GHSA-left-fix0-crit are hidden/,
  );
});

test('allow: an advisory entry accepts that vulnerability (by alias too), never a malicious version', async () => {
  const dir = join(scratch, 'allow');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'depfence.yaml'), 'allow:\n  - { advisory: CVE-2026-1000, reason: "not reachable in our use" }\n');
  const result = await runCliInProcess(['check', '--offline', '--json', '--data-dir', dataDir, 'npm:leftfix@1.1.0'], { env, cwd: dir });
  assert.is(result.code, 0, result.stdout);
  const finding = (
    JSON.parse(result.stdout) as { results: { findings: { check: string; severity: string; message: string }[] }[] }
  ).results[0]!.findings.find((f) => f.check === 'vulnerability')!;
  assert.is(finding.severity, 'info');
  assert.match(finding.message, /accepted by the allow list: not reachable in our use/);
  writeFileSync(join(dir, 'depfence.yaml'), 'allow:\n  - { advisory: MAL-2026-100, reason: "x" }\n');
  const refused = await runCliInProcess(['check', '--offline', '--data-dir', dataDir, 'npm:leftfix@1.2.0'], { env, cwd: dir });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /allow\.0\.advisory .*MAL- records name malicious packages, which cannot be allowed/);
});

test('check says when there is no index, and when it is stale', async () => {
  const none = await runCliInProcess(['check', '--offline', '--data-dir', join(scratch, 'empty'), 'npm:leftfix@1.1.0'], { env });
  assert.match(none.stdout, /no OSV threat-data index.*run depfence update/);
  const stale = await runCliInProcess(['check', '--offline', '--data-dir', dataDir, 'npm:leftfix@1.1.1'], {
    env: { ...env, DEPFENCE_FEEDS__OSV__MAX_AGE: '1s' },
  });
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const later = await runCliInProcess(['check', '--offline', '--data-dir', dataDir, 'npm:leftfix@1.1.1'], {
    env: { ...env, DEPFENCE_FEEDS__OSV__MAX_AGE: '1s' },
  });
  assert.match(
    stale.stdout + later.stdout,
    /the OSV threat data is stale: checked against the feed .* ago, longer than feeds\.osv\.maxAge \(1s\)/,
  );
  const fresh = await runCliInProcess(['check', '--offline', '--data-dir', dataDir, 'npm:leftfix@1.1.1'], { env });
  assert.match(fresh.stdout, /OSV threat data checked against the feed/);

  const doctor = await runCliInProcess(['doctor'], { env: { ...env, DEPFENCE_DATA_DIR: dataDir } });
  assert.match(
    doctor.stdout,
    /ok {4}threat data: OSV threat data checked against the feed .* ago \(4 malicious-package and 12 vulnerability records\)/,
  );
  const staleDoctor = await runCliInProcess(['doctor'], {
    env: { ...env, DEPFENCE_DATA_DIR: dataDir, DEPFENCE_FEEDS__OSV__MAX_AGE: '1s' },
  });
  assert.match(staleDoctor.stdout, /warn {2}threat data: the OSV threat data is stale/);
  const noneDoctor = await runCliInProcess(['doctor'], { env: { ...env, DEPFENCE_DATA_DIR: join(scratch, 'empty') } });
  assert.match(noneDoctor.stdout, /warn {2}threat data: no OSV threat-data index/);
});

test('a bad zip, a missing export and an export of no records are refused; the old index stays', async () => {
  const before = readFileSync(indexPath(dataDir));
  const bad = join(scratch, 'bad');
  mkdirSync(join(bad, 'npm'), { recursive: true });
  mkdirSync(join(bad, 'PyPI'), { recursive: true });
  writeFileSync(join(bad, 'npm', 'all.zip'), 'this is not a zip file at all');
  writeFileSync(join(bad, 'PyPI', 'all.zip'), 'neither is this');
  const result = await runCliInProcess(['update', '--from', bad, '--data-dir', dataDir], { env });
  assert.is(result.code, 2);
  assert.match(
    result.stderr,
    /update failed: .*npm\/all\.zip is not a readable zip archive .*; the threat-data index in force was left as it was/,
  );

  const missing = await runCliInProcess(['update', '--from', join(scratch, 'nowhere'), '--data-dir', dataDir], { env });
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /neither a folder nor an http\(s\) URL/);

  const empty = join(scratch, 'empty-export');
  await writeZip(join(empty, 'npm', 'all.zip'), []);
  await writeZip(join(empty, 'PyPI', 'all.zip'), []);
  const none = await runCliInProcess(['update', '--from', empty, '--data-dir', dataDir], { env });
  assert.is(none.code, 2);
  assert.match(none.stderr, /holds no OSV records; the index was not replaced/);
  assert.ok(readFileSync(indexPath(dataDir)).equals(before), 'the index is unchanged');
});

test('an update killed mid-run leaves the old index in force; the next update removes its leftovers', async () => {
  const before = readFileSync(indexPath(dataDir));
  const big = join(scratch, 'big');
  const many = (ecosystem: 'npm' | 'PyPI') =>
    Array.from({ length: 20_000 }, (_, i) =>
      osvRecord({
        id: `MAL-2026-${50_000 + i}`,
        ecosystem,
        affected: [{ name: `mal-${i}`, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
      }),
    );
  await writeOsvExport(big, { npm: many('npm'), pypi: many('PyPI') }, { compress: false });
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'update', '--from', big, '--data-dir', dataDir],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('reading ')) resolve();
    });
    child.on('exit', () => resolve());
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  assert.ok(readFileSync(indexPath(dataDir)).equals(before), 'the old index is untouched');
  assert.ok(loadIndex(indexPath(dataDir)).forPackage('npm', 'leftfix'));
  // What a dead update leaves: its download folder and a half-written index (named by its pid).
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => dead.once('close', resolve));
  mkdirSync(join(dataDir, 'feeds', `download-${dead.pid}-abc`));
  writeFileSync(join(dataDir, 'feeds', `osv-index.tmp-${dead.pid}-abcd`), '{"format":');
  const again = await runCliInProcess(['update', '--from', feed, '--data-dir', dataDir], { env });
  assert.is(again.code, 0, again.stderr);
  assert.equal(
    readdirSync(join(dataDir, 'feeds')).filter((name) => name !== 'osv-index'),
    [],
  );
  assert.ok(existsSync(indexPath(dataDir)));
});

test('an update that runs out of its heap (feeds.osv.updateHeapMb) fails saying so and what to do; the old index stays', async () => {
  const before = readFileSync(indexPath(dataDir));
  const result = await runCliInProcess(['update', '--from', join(scratch, 'big'), '--data-dir', dataDir], {
    env: { ...env, DEPFENCE_FEEDS__OSV__UPDATE_HEAP_MB: '8' },
  });
  assert.is(result.code, 2, result.stderr);
  assert.match(
    result.stderr,
    /update failed: the update ran out of memory: the export needs more than the 8 MiB heap it may use \(feeds\.osv\.updateHeapMb\); raise that setting, e\.g\. DEPFENCE_FEEDS__OSV__UPDATE_HEAP_MB=16, and run it again; the threat-data index in force was left as it was/,
  );
  assert.ok(readFileSync(indexPath(dataDir)).equals(before), 'the old index is untouched');
});

test('an update stopped from outside (serve shutting down) ends its worker and fails saying so; the old index stays', async () => {
  const before = readFileSync(indexPath(dataDir));
  const stop = new AbortController();
  const config = defaultConfig();
  config.server.dataDir = dataDir;
  const update = runThreatDataUpdate(config, join(scratch, 'big'), {
    progress: (message) => message.includes('reading ') && stop.abort(),
    signal: stop.signal,
  });
  const error = await update.then(
    () => null,
    (failure: unknown) => failure as Error,
  );
  assert.instance(error, UpdateError);
  assert.match(error!.message, /the update was stopped \(the firewall is shutting down\)/);
  assert.ok(readFileSync(indexPath(dataDir)).equals(before), 'the old index is untouched');
});

test("the update runs off the caller's event loop: timers keep firing while it reads", async () => {
  const config = defaultConfig();
  config.server.dataDir = join(scratch, 'loop-data');
  let longestGap = 0;
  let last = Date.now();
  const timer = setInterval(() => {
    longestGap = Math.max(longestGap, Date.now() - last);
    last = Date.now();
  }, 20);
  try {
    await runThreatDataUpdate(config, join(scratch, 'big'));
  } finally {
    clearInterval(timer);
  }
  // In-process, reading 40,000 records held the loop for seconds on end.
  assert.ok(longestGap < 1500, `the event loop was held for ${longestGap} ms`);
});

test.run();
