// `depfence check` with live facts from fixture upstreams: age and downloads decide, and an
// unreachable or broken upstream is never an allow (exit 3).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startNpmUpstream, type NpmUpstream } from '../fixtures/npm-upstream.js';
import { startPypiUpstream, type PypiUpstream } from '../fixtures/pypi-upstream.js';
import { isolatedEnv, runCli, runCliInProcess } from '../helpers/cli.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

let npm: NpmUpstream;
let pypi: PypiUpstream;

function envFor(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return isolatedEnv({
    DEPFENCE_UPSTREAMS__NPM__REGISTRY: npm.registryUrl,
    DEPFENCE_UPSTREAMS__NPM__DOWNLOADS: npm.downloadsUrl,
    DEPFENCE_UPSTREAMS__PYPI__SIMPLE: `${pypi.url}simple/`,
    DEPFENCE_UPSTREAMS__PYPI__JSON: `${pypi.url}pypi/`,
    DEPFENCE_UPSTREAMS__PYPI__DOWNLOADS: `${pypi.url}api/`,
    DEPFENCE_NETWORK__RETRIES: '0',
    DEPFENCE_NETWORK__TIMEOUT: '2s',
    ...extra,
  });
}

test.before(async () => {
  npm = await startNpmUpstream();
  pypi = await startPypiUpstream();
  npm.addPackage('steady-lib', {
    versions: {
      '1.0.0': { published: ago(400) },
      '1.1.0': { published: ago(200) },
      '2.0.0': { published: new Date(Date.now() - 3_600_000) },
    },
    downloads: 50_000,
  });
  npm.addPackage('brand-new-lib', { versions: { '0.1.0': { published: ago(3) } }, downloads: 5_000 });
  npm.addPackage('lonely-lib', { versions: { '1.0.0': { published: ago(500) } }, downloads: 12 });
  const by = (name: string) => ({ manifest: { _npmUser: { name } } });
  const releases = (count: number, newest: number, every: number, publisher: string) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`1.${i}.0`, { published: ago(newest + (count - 1 - i) * every), ...by(publisher) }]),
    );
  npm.addPackage('old-unlisted-lib', { versions: releases(8, 20, 120, 'alice'), downloads: 9_000 });
  npm.addPackage('young-unlisted-lib', { versions: releases(8, 5, 10, 'alice'), downloads: 9_000 });
  pypi.addProject('steady-py', { releases: { '1.0': { uploaded: ago(300) } }, downloads: 40_000 });
  const acme = { kind: 'GitHub', repository: 'acme/tool', workflow: 'release.yml', environment: 'pypi' } as const;
  pypi.addProject('attested-py', {
    releases: {
      '2.0': { uploaded: ago(200), files: [{ kind: 'wheel', provenance: acme }] },
      '2.1': { uploaded: ago(90), files: [{ kind: 'wheel', provenance: acme }] },
      '2.2': { uploaded: ago(5), files: [{ kind: 'wheel', provenance: false }] },
      '2.3': {
        uploaded: ago(4),
        files: [{ kind: 'wheel', provenance: { kind: 'GitHub', repository: 'acme-tools/tool', workflow: 'publish.yml' } }],
      },
    },
    downloads: 40_000,
  });
});

test.after(async () => {
  await npm.close();
  await pypi.close();
});

test('live facts: old and used is allowed; a fresh version, a new package and an unused one are denied', async () => {
  const { code, stdout } = await runCliInProcess(
    [
      'check',
      '--json',
      'npm:steady-lib@1.1.0',
      'npm:steady-lib@2.0.0',
      'npm:brand-new-lib',
      'npm:lonely-lib',
      'pypi:steady-py==1.0',
      'npm:no-such-package-xyz',
    ],
    { env: envFor() },
  );
  assert.is(code, 1, stdout);
  const results = (
    JSON.parse(stdout) as {
      results: {
        name: string;
        version: string | null;
        decision: string;
        findings: { check: string; severity: string; message: string }[];
      }[];
    }
  ).results;
  const summary = results.map((r) => [
    r.name,
    r.version,
    r.decision,
    r.findings
      .filter((f) => f.severity === 'deny')
      .map((f) => f.check)
      .join(','),
  ]);
  assert.equal(summary, [
    ['steady-lib', '1.1.0', 'allow', ''],
    ['steady-lib', '2.0.0', 'deny', 'age'],
    ['brand-new-lib', null, 'deny', 'age'],
    ['lonely-lib', null, 'deny', 'downloads'],
    ['steady-py', '1.0', 'allow', ''],
    ['no-such-package-xyz', null, 'deny', 'exists'],
  ]);
  assert.match(results[2]!.findings.find((f) => f.check === 'age')!.message, /first published 3d ago/);
});

test('PyPI history in check, read from the simple index as the firewall reads it: attestations lost (deny), a new Trusted Publisher (warn)', async () => {
  const { code, stdout } = await runCliInProcess(
    ['check', '--json', 'pypi:attested-py==2.2', 'pypi:attested-py==2.3', 'pypi:attested-py==2.1'],
    { env: envFor() },
  );
  assert.is(code, 1, stdout);
  interface Result {
    version: string;
    decision: string;
    findings: { check: string; severity: string; message: string; evidence: Record<string, unknown> }[];
  }
  const [lost, republished, earlier] = (JSON.parse(stdout) as { results: Result[] }).results;
  const lostFinding = lost!.findings.find((f) => f.check === 'history')!;
  assert.is(lost!.decision, 'deny');
  assert.is(lostFinding.evidence.signal, 'attestations-lost');
  assert.equal(lostFinding.evidence.attestedVersions, ['2.0', '2.1']);
  assert.match(lostFinding.message, /attested-py==2\.2 has no attestations \(PEP 740\), though the earlier versions had \(2\.0, 2\.1\)/);
  const publisherFinding = republished!.findings.find((f) => f.check === 'history')!;
  assert.is(republished!.decision, 'warn', JSON.stringify(republished));
  assert.is(publisherFinding.evidence.signal, 'new-publisher');
  assert.is(publisherFinding.evidence.publisher, 'GitHub acme-tools/tool (workflow publish.yml)');
  assert.equal(publisherFinding.evidence.previousPublishers, ['GitHub acme/tool (workflow release.yml)']);
  assert.is(earlier!.decision, 'allow');
  const human = await runCliInProcess(['check', 'pypi:attested-py==2.3'], { env: envFor() });
  assert.is(human.code, 0, human.stdout);
  assert.match(
    human.stdout,
    /warn {2}history: attested-py==2\.3 was published through a Trusted Publisher none of its earlier releases used: GitHub acme-tools\/tool \(workflow publish\.yml\)/,
  );
});

test('an unreachable upstream fails closed: exit 3 with the reason', async () => {
  const { code, stdout } = await runCli(['check', 'npm:steady-lib'], {
    env: envFor({ DEPFENCE_UPSTREAMS__NPM__REGISTRY: 'http://127.0.0.1:9/', DEPFENCE_UPSTREAMS__NPM__DOWNLOADS: 'http://127.0.0.1:9/' }),
  });
  assert.is(code, 3, stdout);
  assert.match(stdout, /DENY\s+npm:steady-lib/);
  assert.match(stdout, /127\.0\.0\.1:9/);
  assert.match(stdout, /could not get the facts it needs/);
});

test('upstream 500s and malformed JSON fail closed too', async () => {
  const failing = npm.failWith(500);
  const fiveHundred = await runCliInProcess(['check', 'npm:steady-lib'], { env: envFor() });
  failing.remove();
  assert.is(fiveHundred.code, 3, fiveHundred.stdout);
  assert.match(fiveHundred.stdout, /500/);
  const broken = pypi.malformed();
  const malformed = await runCliInProcess(['check', 'pypi:steady-py'], { env: envFor() });
  broken.remove();
  assert.is(malformed.code, 3, malformed.stdout);
  assert.match(malformed.stdout, /cannot read \(not JSON/);
});

test('a timeout fails closed', async () => {
  const slow = npm.delay(3_000);
  const { code, stdout } = await runCliInProcess(['check', 'npm:steady-lib'], { env: envFor({ DEPFENCE_NETWORK__TIMEOUT: '1s' }) });
  slow.remove();
  assert.is(code, 3, stdout);
  assert.match(stdout, /did not answer within 1s|timed out/i);
});

test('a denial on known facts wins over missing ones: exit 1', async () => {
  const { code } = await runCliInProcess(['check', 'npm:lonely-lib', 'npm:other'], {
    env: envFor({ DEPFENCE_UPSTREAMS__NPM__DOWNLOADS: 'http://127.0.0.1:9/' }),
  });
  assert.is(code, 1);
});

test('downloads API down and names missing from the snapshot: established packages warned, young ones denied', async () => {
  const { code, stdout } = await runCliInProcess(['check', '--json', 'npm:old-unlisted-lib', 'npm:young-unlisted-lib'], {
    env: envFor({ DEPFENCE_UPSTREAMS__NPM__DOWNLOADS: 'http://127.0.0.1:9/' }),
  });
  assert.is(code, 3, stdout);
  const results = (
    JSON.parse(stdout) as {
      results: { name: string; decision: string; findings: { check: string; severity: string; message: string }[] }[];
    }
  ).results;
  assert.equal(
    results.map((r) => [r.name, r.decision]),
    [
      ['old-unlisted-lib', 'warn'],
      ['young-unlisted-lib', 'deny'],
    ],
  );
  assert.match(
    results[0]!.findings.find((f) => f.check === 'downloads')!.message,
    /download count unavailable; established by age and history \(first release .*; 8 releases; published by alice since/,
  );
  assert.match(
    results[1]!.findings.find((f) => f.check === 'downloads')!.message,
    /nor is it established by age and history: its first release was .*, less than a year ago/,
  );
});

test.run();
