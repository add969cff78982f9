// Promise 1: fail closed. Whenever a fact a check needs is missing (an upstream down, a timeout,
// malformed metadata, a download count that cannot be had, a version without a publish time, a
// filter that throws), the package or version is refused, and the message says which fact is
// missing. `mode: report` is the only way through, and it logs what enforce mode would have done.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { ABBREVIATED, rawRequest } from '../helpers/npm-firewall.js';

const test = suite('reliability/fail-closed');

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const OLD = { uploaded: daysAgo(400) };
let pypi: PypiUpstream;
let npm: NpmUpstream;
let enforce: TestFirewall;
let report: TestFirewall;

function start(mode: 'enforce' | 'report'): Promise<TestFirewall> {
  return startFirewall({
    pypi,
    configure: (config) => {
      config.mode = mode;
      config.upstreams.npm = { ...config.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
      config.network.timeout = 1_000;
      config.network.retries = 0;
    },
  });
}

test.before(async () => {
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  // Names no snapshot lists, so a missing live count cannot be stood in for.
  for (const name of [
    'zq-down-lib',
    'zq-slow-lib',
    'zq-garbled-lib',
    'zq-meta-down-lib',
    'zq-count-down-lib',
    'zq-judge-breaker-lib',
    'zq-file-down-lib',
    'zq-timeless-lib',
  ]) {
    pypi.addProject(name, { releases: { '1.0.0': OLD }, downloads: 50_000 });
  }
  for (const name of [
    'zq-down-js',
    'zq-slow-js',
    'zq-garbled-js',
    'zq-count-down-js',
    'zq-filter-breaker-js',
    'zq-tarball-down-js',
    'zq-timeless-js',
  ]) {
    npm.addPackage(name, { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  }
  enforce = await start('enforce');
  report = await start('report');
});

test.after(async () => {
  await enforce?.close();
  await report?.close();
  await pypi?.close();
  await npm?.close();
});

async function page(firewall: TestFirewall, name: string) {
  return rawRequest(firewall.url, `/-/pypi/simple/${name}/`, { headers: { accept: SIMPLE_JSON } });
}

function wheelOf(name: string): string {
  return pypi.files(name, '1.0.0')[0]!.filename;
}

function errorText(answer: { json: Record<string, unknown> | undefined; text: string }): string {
  const error = answer.json?.error;
  return typeof error === 'string' ? error : answer.text;
}

// ── PyPI ──────────────────────────────────────────────────────────────────────────────────────

test('PyPI: the index down, slow or garbled: 403/502 naming the index and why, never an empty page', async () => {
  const faults = [
    pypi.failWith(503, { match: pypi.route.simple('zq-down-lib') }),
    pypi.delay(2_000, { match: pypi.route.simple('zq-slow-lib') }),
    pypi.malformed({ match: pypi.route.simple('zq-garbled-lib') }),
  ];
  try {
    const down = await page(enforce, 'zq-down-lib');
    assert.is(down.status, 403, down.text);
    assert.match(errorText(down), /cannot check this project because the PyPI simple index is unavailable.*answered HTTP 503/);
    const slow = await page(enforce, 'zq-slow-lib');
    assert.is(slow.status, 403, slow.text);
    assert.match(errorText(slow), /did not answer within 1s/);
    const garbled = await page(enforce, 'zq-garbled-lib');
    assert.is(garbled.status, 502, garbled.text);
    assert.match(errorText(garbled), /gave an answer depfence cannot use/);
    // A file of a project whose page cannot be had is refused the same way.
    const file = await rawRequest(enforce.url, `/-/pypi/files/zq-down-lib/${wheelOf('zq-down-lib')}`);
    assert.is(file.status, 403, file.text);
    // Report mode cannot serve a page it does not have.
    assert.is((await page(report, 'zq-down-lib')).status, 403);
  } finally {
    for (const fault of faults) fault.remove();
  }
});

test('PyPI: registry metadata or the download count missing: 403 naming the fact; report mode serves and logs', async () => {
  const faults = [
    pypi.failWith(503, { match: pypi.route.json('zq-meta-down-lib') }),
    pypi.failWith(503, { match: pypi.route.stats('zq-count-down-lib') }),
  ];
  try {
    const meta = await page(enforce, 'zq-meta-down-lib');
    assert.is(meta.status, 403, meta.text);
    assert.match(errorText(meta), /registry metadata could not be obtained, so depfence refuses rather than guess: PyPI JSON API/);
    const count = await page(enforce, 'zq-count-down-lib');
    assert.is(count.status, 403, count.text);
    assert.match(errorText(count), /download count could not be obtained, so depfence refuses rather than guess: pypistats/);
    const file = await rawRequest(enforce.url, `/-/pypi/files/zq-count-down-lib/${wheelOf('zq-count-down-lib')}`);
    assert.is(file.status, 403, file.text);
    assert.match(errorText(file), /download count could not be obtained/);

    for (const name of ['zq-meta-down-lib', 'zq-count-down-lib']) {
      const served = await page(report, name);
      assert.is(served.status, 200, `report mode lets ${name} through: ${served.text}`);
      assert.is((served.json as { files: unknown[] }).files.length, 1);
      const file = await rawRequest(report.url, `/-/pypi/files/${name}/${wheelOf(name)}`);
      assert.is(file.status, 200, file.text);
    }
    const logged = report.audit().filter((record) => record.name === 'zq-count-down-lib' && record.decision === 'deny');
    assert.ok(logged.length > 0 && logged.every((record) => record.mode === 'report'), JSON.stringify(logged));
    assert.ok(
      logged.some((record) => record.findings.some((finding) => finding.check === 'downloads' && finding.evidence.unavailable === true)),
    );
  } finally {
    for (const fault of faults) fault.remove();
  }
});

test('PyPI: a file with no upload time is hidden and refused; a file that cannot be fetched is 403', async () => {
  const wheel = pypi.files('zq-timeless-lib', '1.0.0')[0]!;
  const timeless = JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: 'zq-timeless-lib',
    files: [{ filename: wheel.filename, url: pypi.fileUrl(wheel.filename), hashes: { sha256: wheel.sha256 } }],
  });
  const faults = [
    pypi.inject(
      { kind: 'status', status: 200, body: timeless, headers: { 'content-type': SIMPLE_JSON } },
      { match: pypi.route.simple('zq-timeless-lib') },
    ),
    pypi.failWith(503, { match: pypi.route.json('zq-timeless-lib') }),
    pypi.failWith(503, { match: pypi.route.file(wheelOf('zq-file-down-lib')) }),
  ];
  try {
    // The JSON API is down, so the page's own (missing) upload time is all there is.
    const listed = await page(enforce, 'zq-timeless-lib');
    assert.ok(listed.status === 403 || (listed.status === 200 && (listed.json as { files: unknown[] }).files.length === 0), listed.text);
    const file = await rawRequest(enforce.url, `/-/pypi/files/zq-timeless-lib/${wheel.filename}`);
    assert.is(file.status, 403, file.text);
    assert.match(errorText(file), /has no publish time|registry metadata could not be obtained/);

    const down = await rawRequest(enforce.url, `/-/pypi/files/zq-file-down-lib/${wheelOf('zq-file-down-lib')}`);
    assert.is(down.status, 403, down.text);
    assert.match(errorText(down), /could not be fetched: .*answered HTTP 503/);
  } finally {
    for (const fault of faults) fault.remove();
  }
});

test('PyPI: a policy check that throws refuses the project with 403 and the reason, never a 500 or an unjudged page', async () => {
  const { blocklists } = enforce.running.context.decider.context;
  const lookup = blocklists.lookup.bind(blocklists);
  blocklists.lookup = (ecosystem, name, version) => {
    if (name === 'zq-judge-breaker-lib' && version !== null) throw new Error('blocklist exploded');
    return lookup(ecosystem, name, version);
  };
  try {
    const broken = await page(enforce, 'zq-judge-breaker-lib');
    assert.is(broken.status, 403, broken.text);
    assert.match(errorText(broken), /blocklist exploded/);
    const file = await rawRequest(enforce.url, `/-/pypi/files/zq-judge-breaker-lib/${wheelOf('zq-judge-breaker-lib')}`);
    assert.is(file.status, 403, file.text);
  } finally {
    blocklists.lookup = lookup;
  }
  assert.is((await page(enforce, 'zq-judge-breaker-lib')).status, 200, 'judged again once the check works');
});

// ── npm ───────────────────────────────────────────────────────────────────────────────────────

test('npm: the registry down, slow or garbled: 403 naming the registry metadata, for packuments and tarballs', async () => {
  const faults = [
    npm.failWith(503, { match: npm.route.packument('zq-down-js') }),
    npm.delay(2_000, { match: npm.route.packument('zq-slow-js') }),
    npm.malformed({ match: npm.route.packument('zq-garbled-js') }),
  ];
  try {
    for (const [name, why] of [
      ['zq-down-js', /answered HTTP 503/],
      ['zq-slow-js', /did not answer within 1s/],
      ['zq-garbled-js', /cannot read/],
    ] as const) {
      const doc = await rawRequest(enforce.url, `/${name}`, { headers: { accept: ABBREVIATED } });
      assert.is(doc.status, 403, doc.text);
      assert.match(errorText(doc), /cannot be checked right now, so it is refused: registry metadata could not be obtained/);
      assert.match(errorText(doc), why);
      const tarball = await rawRequest(enforce.url, `/${name}/-/${name}-1.0.0.tgz`);
      assert.is(tarball.status, 403, tarball.text);
      assert.match(errorText(tarball), /registry metadata could not be obtained/);
    }
  } finally {
    for (const fault of faults) fault.remove();
  }
});

test('npm: the download count missing: 403 naming it; report mode serves the package and logs the deny', async () => {
  const fault = npm.failWith(503, { match: npm.route.downloads('zq-count-down-js') });
  try {
    const doc = await rawRequest(enforce.url, '/zq-count-down-js', { headers: { accept: ABBREVIATED } });
    assert.is(doc.status, 403, doc.text);
    assert.match(errorText(doc), /download count could not be obtained, so depfence refuses rather than guess/);
    const tarball = await rawRequest(enforce.url, '/zq-count-down-js/-/zq-count-down-js-1.0.0.tgz');
    assert.is(tarball.status, 403);

    const served = await rawRequest(report.url, '/zq-count-down-js', { headers: { accept: ABBREVIATED } });
    assert.is(served.status, 200, served.text);
    const bytes = await rawRequest(report.url, '/zq-count-down-js/-/zq-count-down-js-1.0.0.tgz');
    assert.is(bytes.status, 200, bytes.text);
    assert.ok(bytes.body.equals(npm.tarball('zq-count-down-js', '1.0.0').bytes));
    const logged = report.audit().filter((record) => record.name === 'zq-count-down-js' && record.decision === 'deny');
    assert.ok(logged.length > 0 && logged.every((record) => record.mode === 'report'));
    assert.ok(
      logged.some((record) => record.findings.some((finding) => finding.check === 'downloads' && finding.evidence.unavailable === true)),
    );
  } finally {
    fault.remove();
  }
});

test('npm: a version without a publish time is hidden, and its tarball refused with the reason', async () => {
  const doc = npm.packument('zq-timeless-js') as { time: Record<string, string> };
  delete doc.time['1.0.0'];
  const fault = npm.inject(
    { kind: 'status', status: 200, body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } },
    { match: npm.route.packument('zq-timeless-js') },
  );
  try {
    const packument = await rawRequest(enforce.url, '/zq-timeless-js', { headers: { accept: ABBREVIATED } });
    assert.is(packument.status, 200, packument.text);
    assert.equal(packument.json!.versions, {});
    const tarball = await rawRequest(enforce.url, '/zq-timeless-js/-/zq-timeless-js-1.0.0.tgz');
    assert.is(tarball.status, 403, tarball.text);
    assert.match(errorText(tarball), /has no publish time, so its age cannot be checked/);
  } finally {
    fault.remove();
  }
});

test('npm: a version filter that throws refuses the packument and its tarballs with 403 and the reason', async () => {
  const { blocklists } = enforce.running.context.decider.context;
  const lookup = blocklists.lookup.bind(blocklists);
  blocklists.lookup = (ecosystem, name, version) => {
    if (name === 'zq-filter-breaker-js' && version !== null) throw new Error('blocklist exploded');
    return lookup(ecosystem, name, version);
  };
  try {
    const doc = await rawRequest(enforce.url, '/zq-filter-breaker-js', { headers: { accept: ABBREVIATED } });
    assert.is(doc.status, 403, doc.text);
    assert.match(errorText(doc), /version filter failed \(blocklist exploded\)/);
    const tarball = await rawRequest(enforce.url, '/zq-filter-breaker-js/-/zq-filter-breaker-js-1.0.0.tgz');
    assert.is(tarball.status, 403, tarball.text);
    assert.match(errorText(tarball), /version filter failed \(blocklist exploded\)/);
  } finally {
    blocklists.lookup = lookup;
  }
});

test('npm: a tarball the registry cannot deliver is a 502 saying so; nothing is stored', async () => {
  await rawRequest(enforce.url, '/zq-tarball-down-js', { headers: { accept: ABBREVIATED } });
  const fault = npm.failWith(503, { match: npm.route.tarball('zq-tarball-down-js') });
  try {
    const tarball = await rawRequest(enforce.url, '/zq-tarball-down-js/-/zq-tarball-down-js-1.0.0.tgz');
    assert.ok(tarball.status === 502 || tarball.status === 403, tarball.text);
    assert.match(errorText(tarball), /failed to deliver zq-tarball-down-js-1\.0\.0\.tgz/);
  } finally {
    fault.remove();
  }
});

test.run();
