// The PyPI index against a project's own history: a young release with only an sdist after
// releases with wheels, and one without PEP 740 provenance after attested ones, are not listed;
// the audit log says why, with the evidence.
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
  pypi.addProject('sdist-first', {
    releases: { '0.1': { uploaded: daysAgo(300), files: [{ kind: 'sdist' }] }, '0.2': { uploaded: daysAgo(5), files: [{ kind: 'sdist' }] } },
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
  if (accept === JSON_TYPE) return (JSON.parse(body) as { files: Array<{ filename: string }> }).files.map((file) => file.filename).sort();
  return [...body.matchAll(/>([^<]+)<\/a>/g)].map((match) => match[1]!).sort();
}

test('a young sdist-only release after wheels is not listed; the audit log has the reason', async () => {
  assert.equal(await listed('switched-pkg'), [
    'switched_pkg-1.0-py3-none-any.whl', 'switched_pkg-1.0.tar.gz', 'switched_pkg-1.1-py3-none-any.whl', 'switched_pkg-1.1.tar.gz',
  ]);
  const record = firewall.audit().find((line) => line.name === 'switched-pkg' && line.version === '1.2');
  const finding = record?.findings.find((f) => f.check === 'history');
  assert.ok(finding, JSON.stringify(firewall.audit().filter((line) => line.name === 'switched-pkg')));
  assert.is(finding!.evidence.signal, 'sdist-only-after-wheels');
  assert.match(finding!.message, /switched-pkg==1\.2 has only a source distribution, though the earlier releases shipped wheels \(1\.0, 1\.1\)/);
});

test('a young release without provenance after attested ones is not listed, in either page format', async () => {
  assert.equal(await listed('attested-pkg'), ['attested_pkg-2.0-py3-none-any.whl', 'attested_pkg-2.1-py3-none-any.whl']);
  assert.equal(await listed('attested-pkg', 'text/html'), ['attested_pkg-2.0-py3-none-any.whl', 'attested_pkg-2.1-py3-none-any.whl']);
});

test('a project that has only ever shipped sdists is listed whole', async () => {
  assert.equal(await listed('sdist-first'), ['sdist_first-0.1.tar.gz', 'sdist_first-0.2.tar.gz']);
});

test.run();
