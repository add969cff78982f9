// Promise 7 (the server side): every deny and warn the servers decide, on a PyPI project page and
// on an npm packument, is in the audit log with its time, the client tool (from the User-Agent),
// the package, the version, the decision and the findings. Package-level denials (typosquat,
// known-malicious, a fact that could not be had), warnings (a low download count), and
// version-level denials (a young file or version, a known-malicious version) alike.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { rawRequest } from '../helpers/npm-firewall.js';
import type { AuditRecord } from '../../src/server/audit.js';

const test = suite('reliability/audit-decisions');

const HOUR = 3_600_000;
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const AGENTS = {
  pip: 'pip/24.0 {"ci":null,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.12.3"}}',
  uv: 'uv/0.5.11 {"installer":{"name":"uv","version":"0.5.11"}}',
  npm: 'npm/10.8.2 node/v20.19.0 linux x64 workspaces/false',
  pnpm: 'pnpm/9.12.0 npm/? node/v20.19.0 linux x64',
} as const;

let pypi: PypiUpstream;
let npm: NpmUpstream;
let firewall: TestFirewall;
let started: number;

interface Expected {
  client: keyof typeof AGENTS;
  ecosystem: 'npm' | 'pypi';
  name: string;
  version: string | null;
  decision: 'deny' | 'warn';
  check: string;
  subject: string;
}

test.before(async () => {
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  pypi.addProject('reqeusts', { releases: { '2.31.0': { uploaded: daysAgo(400) } }, downloads: 40 });
  pypi.addProject('zq-quiet-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 500 });
  pypi.addProject('zq-young-file-lib', {
    releases: { '1.0.0': { uploaded: daysAgo(400) }, '1.1.0': { uploaded: new Date(Date.now() - HOUR) } },
    downloads: 50_000,
  });
  pypi.addProject('zq-unknown-count-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('zq-quiet-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 500 });
  npm.addPackage('zq-young-js', {
    versions: { '1.0.0': { published: daysAgo(400) }, '1.1.0': { published: new Date(Date.now() - HOUR) } },
    downloads: 50_000,
  });
  npm.addPackage('debug', {
    versions: { '4.4.1': { published: daysAgo(300) }, '4.4.2': { published: daysAgo(200) } },
    downloads: 300_000_000,
  });
  npm.addPackage('zq-unknown-count-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  pypi.failWith(503, { match: pypi.route.stats('zq-unknown-count-lib') });
  npm.failWith(503, { match: npm.route.downloads('zq-unknown-count-js') });
  firewall = await startFirewall({
    pypi,
    configure: (config) => {
      config.upstreams.npm = { ...config.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
      config.network.retries = 0;
    },
  });
  started = Date.now();
});

test.after(async () => {
  await firewall?.close();
  await pypi?.close();
  await npm?.close();
});

const EXPECTED: Expected[] = [
  { client: 'pip', ecosystem: 'pypi', name: 'reqeusts', version: null, decision: 'deny', check: 'typosquat', subject: 'project page' },
  { client: 'uv', ecosystem: 'pypi', name: 'zq-quiet-lib', version: null, decision: 'warn', check: 'downloads', subject: 'project page' },
  {
    client: 'pip',
    ecosystem: 'pypi',
    name: 'zq-young-file-lib',
    version: '1.1.0',
    decision: 'deny',
    check: 'age',
    subject: 'project page',
  },
  {
    client: 'uv',
    ecosystem: 'pypi',
    name: 'zq-unknown-count-lib',
    version: null,
    decision: 'deny',
    check: 'downloads',
    subject: 'project page',
  },
  { client: 'npm', ecosystem: 'npm', name: 'loadsh', version: null, decision: 'deny', check: 'typosquat', subject: 'packument' },
  { client: 'pnpm', ecosystem: 'npm', name: 'zq-quiet-js', version: null, decision: 'warn', check: 'downloads', subject: 'packument' },
  { client: 'npm', ecosystem: 'npm', name: 'zq-young-js', version: '1.1.0', decision: 'deny', check: 'age', subject: 'packument' },
  { client: 'npm', ecosystem: 'npm', name: 'debug', version: '4.4.2', decision: 'deny', check: 'malicious', subject: 'packument' },
  {
    client: 'pnpm',
    ecosystem: 'npm',
    name: 'zq-unknown-count-js',
    version: null,
    decision: 'deny',
    check: 'downloads',
    subject: 'packument',
  },
];

function requestFor(expected: Expected) {
  const headers = { 'user-agent': AGENTS[expected.client], accept: expected.ecosystem === 'pypi' ? SIMPLE_JSON : ABBREVIATED };
  const path = expected.ecosystem === 'pypi' ? `/-/pypi/simple/${expected.name}/` : `/${expected.name}`;
  return rawRequest(firewall.url, path, { headers });
}

test('every deny and warn from a project page or packument is logged with time, client, package, version, decision and findings', async () => {
  const refusals: { client: string; decision: AuditRecord }[] = [];
  for (const expected of EXPECTED) {
    const answer = await requestFor(expected);
    assert.ok([200, 403, 503].includes(answer.status), `${expected.name}: ${answer.status} ${answer.text}`);
    if (answer.status !== 200) refusals.push({ client: expected.client, decision: answer.json!.decision as AuditRecord });
  }
  const records = firewall.audit();
  const missing: string[] = [];
  for (const expected of EXPECTED) {
    const found = records.find(
      (record) =>
        record.ecosystem === expected.ecosystem &&
        record.name === expected.name &&
        record.version === expected.version &&
        record.decision === expected.decision &&
        record.client === expected.client &&
        record.subject === expected.subject &&
        record.findings.some((finding) => finding.check === expected.check && finding.severity === expected.decision),
    );
    if (!found) {
      missing.push(
        `${expected.ecosystem}:${expected.name}${expected.version ? `@${expected.version}` : ''} ${expected.decision} (${expected.check}) from ${expected.client}`,
      );
      continue;
    }
    const time = Date.parse(found.time);
    assert.ok(time >= started - 1_000 && time <= Date.now() + 1_000, `${expected.name}: a time when it happened (${found.time})`);
    assert.is(found.mode, 'enforce');
    for (const finding of found.findings) {
      assert.type(finding.message, 'string');
      assert.ok(finding.message.length > 10, 'a sentence, not a code');
      assert.type(finding.evidence, 'object');
    }
  }
  assert.equal(missing, [], `decisions missing from the audit log:\n${missing.join('\n')}`);

  // And the refusals clients saw are exactly what was logged.
  for (const { client, decision } of refusals) {
    const logged = records.find(
      (record) =>
        record.name === decision.name &&
        record.version === decision.version &&
        record.client === client &&
        record.decision === decision.decision,
    );
    assert.ok(logged, `${decision.name}: the refusal sent to ${client} is logged`);
    assert.equal(logged.findings, decision.findings, `${decision.name}: the same findings as the refusal`);
  }
});

test('no deny or warn is logged without a client, a time or findings', () => {
  for (const record of firewall.audit().filter((r) => r.decision !== 'allow')) {
    assert.ok(record.client !== '' && record.client !== undefined, JSON.stringify(record));
    assert.ok(!Number.isNaN(Date.parse(record.time)), JSON.stringify(record));
    assert.ok(record.findings.length > 0, `a ${record.decision} with no findings: ${JSON.stringify(record)}`);
    assert.ok(['npm', 'pypi'].includes(record.ecosystem) && record.name !== '', JSON.stringify(record));
  }
});

test.run();
