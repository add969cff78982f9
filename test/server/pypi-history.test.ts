// The PyPI index against a project's own history: a young release with only an sdist after
// releases with wheels, and one without PEP 740 provenance after attested ones, are not listed;
// one whose provenance names a Trusted Publisher no earlier release used is listed with a warning.
// The audit log says why, with the evidence.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { rawGet } from '../helpers/http.js';

const test = suite('server/pypi-history');
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

let pypi: PypiUpstream;
let firewall: TestFirewall;

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('switched-pkg', {
    releases: {
      '1.0': { uploaded: daysAgo(300), files: [{ kind: 'sdist' }, { kind: 'wheel' }] },
      '1.1': { uploaded: daysAgo(100), files: [{ kind: 'sdist' }, { kind: 'wheel' }] },
      '1.2': { uploaded: daysAgo(5), files: [{ kind: 'sdist' }] },
    },
    downloads: 50_000,
  });
  pypi.addProject('attested-pkg', {
    releases: {
      '2.0': { uploaded: daysAgo(200), files: [{ kind: 'wheel', provenance: true }] },
      '2.1': { uploaded: daysAgo(90), files: [{ kind: 'wheel', provenance: true }] },
      '2.2': { uploaded: daysAgo(5), files: [{ kind: 'wheel', provenance: false }] },
    },
    downloads: 50_000,
  });
  const acme = { kind: 'GitHub', repository: 'acme/tool', workflow: 'release.yml', environment: 'pypi' } as const;
  pypi.addProject('republished-pkg', {
    releases: {
      '3.0': {
        uploaded: daysAgo(200),
        files: [
          { kind: 'wheel', provenance: acme },
          { kind: 'sdist', provenance: acme },
        ],
      },
      '3.1': {
        uploaded: daysAgo(90),
        files: [{ kind: 'wheel', provenance: { ...acme, repository: 'Acme/Tool', environment: 'release' } }],
      },
      '3.2': {
        uploaded: daysAgo(5),
        files: [{ kind: 'wheel', provenance: { kind: 'GitHub', repository: 'acme-tool/tool', workflow: 'publish.yml' } }],
      },
      '3.3': {
        uploaded: daysAgo(45),
        files: [{ kind: 'wheel', provenance: { kind: 'GitHub', repository: 'acme/tool', workflow: 'other.yml' } }],
      },
    },
    downloads: 50_000,
  });
  pypi.addProject('sdist-first', {
    releases: {
      '0.1': { uploaded: daysAgo(300), files: [{ kind: 'sdist' }] },
      '0.2': { uploaded: daysAgo(5), files: [{ kind: 'sdist' }] },
    },
    downloads: 50_000,
  });
  firewall = await startFirewall({ pypi, mounts: 'pypi' });
});

test.after(async () => {
  await firewall.close();
  await pypi.close();
});

async function listed(project: string, accept = JSON_TYPE): Promise<string[]> {
  const answer = await rawGet(firewall.url, `/-/pypi/simple/${project}/`, { accept });
  const body = answer.body.toString('utf8');
  assert.is(answer.status, 200, body);
  if (accept === JSON_TYPE) return (JSON.parse(body) as { files: { filename: string }[] }).files.map((file) => file.filename).sort();
  return [...body.matchAll(/>([^<]+)<\/a>/g)].map((match) => match[1]!).sort();
}

test('a young sdist-only release after wheels is not listed; the audit log has the reason', async () => {
  assert.equal(await listed('switched-pkg'), [
    'switched_pkg-1.0-py3-none-any.whl',
    'switched_pkg-1.0.tar.gz',
    'switched_pkg-1.1-py3-none-any.whl',
    'switched_pkg-1.1.tar.gz',
  ]);
  const record = firewall.audit().find((line) => line.name === 'switched-pkg' && line.version === '1.2');
  const finding = record?.findings.find((f) => f.check === 'history');
  assert.ok(finding, JSON.stringify(firewall.audit().filter((line) => line.name === 'switched-pkg')));
  assert.is(finding.evidence.signal, 'sdist-only-after-wheels');
  assert.match(
    finding.message,
    /switched-pkg==1\.2 has only a source distribution, though the earlier releases shipped wheels \(1\.0, 1\.1\)/,
  );
});

test('a young release without provenance after attested ones is not listed, in either page format', async () => {
  assert.equal(await listed('attested-pkg'), ['attested_pkg-2.0-py3-none-any.whl', 'attested_pkg-2.1-py3-none-any.whl']);
  assert.equal(await listed('attested-pkg', 'text/html'), ['attested_pkg-2.0-py3-none-any.whl', 'attested_pkg-2.1-py3-none-any.whl']);
});

test('a young release from a Trusted Publisher no earlier release used is listed, with a warning naming both publishers', async () => {
  const before = pypi.requests.length;
  assert.equal(await listed('republished-pkg'), [
    'republished_pkg-3.0-py3-none-any.whl',
    'republished_pkg-3.0.tar.gz',
    'republished_pkg-3.1-py3-none-any.whl',
    'republished_pkg-3.2-py3-none-any.whl',
    'republished_pkg-3.3-py3-none-any.whl',
  ]);
  const record = firewall.audit().find((line) => line.name === 'republished-pkg' && line.version === '3.2');
  assert.ok(record, JSON.stringify(firewall.audit().filter((line) => line.name === 'republished-pkg')));
  assert.is(record.decision, 'warn');
  const finding = record.findings.find((f) => f.evidence.signal === 'new-publisher')!;
  assert.is(finding.severity, 'warn');
  assert.is(finding.evidence.publisher, 'GitHub acme-tool/tool (workflow publish.yml)');
  // Case and environment do not make another publisher: 3.0 and 3.1 are one.
  assert.equal(finding.evidence.previousPublishers, ['GitHub acme/tool (workflow release.yml)']);
  assert.match(
    finding.message,
    /republished-pkg==3\.2 was published through a Trusted Publisher none of its earlier releases used: GitHub acme-tool\/tool \(workflow publish\.yml\)/,
  );
  // 3.3 (another workflow, 45 days ago) is outside policy.history.newPublisherWindow (30d): no warning.
  assert.ok(!firewall.audit().some((line) => line.name === 'republished-pkg' && line.version === '3.3'));
  // Provenance is read only for the young release, the current one (the package-level decision
  // judges it) and the attested ones below them, each once.
  const asked = pypi.requests
    .slice(before)
    .filter((request) => request.path.startsWith('/integrity/'))
    .map((request) => request.path.split('/')[4]!);
  assert.equal([...new Set(asked)].sort(), [
    'republished_pkg-3.0-py3-none-any.whl',
    'republished_pkg-3.0.tar.gz',
    'republished_pkg-3.1-py3-none-any.whl',
    'republished_pkg-3.2-py3-none-any.whl',
    'republished_pkg-3.3-py3-none-any.whl',
  ]);
  assert.is(asked.length, new Set(asked).size, 'each provenance document is fetched once');
});

test('a project that has only ever shipped sdists is listed whole', async () => {
  assert.equal(await listed('sdist-first'), ['sdist_first-0.1.tar.gz', 'sdist_first-0.2.tar.gz']);
});

test.run();
