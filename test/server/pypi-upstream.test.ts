// How the PyPI side behaves when the upstream misbehaves: down (fail closed with 403 naming the
// upstream), stale-if-error within its window only, malformed pages (502, nothing cached),
// HTML-only indexes, timeouts, and internal names served only by the internal index.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { rawGet } from '../helpers/http.js';

const test = suite('server/pypi-upstream');
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
const TTL = 300;
const STALE = 1_200;

let pypi: PypiUpstream;
let internal: PypiUpstream;
let firewall: TestFirewall;

const page = (name: string, on = firewall) => rawGet(on.url, `/-/pypi/simple/${name}/`, { accept: PIP_ACCEPT });
const errorOf = (text: string) => JSON.parse(text).error as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const old = { uploaded: daysAgo(400) };

test.before(async () => {
  pypi = await PypiUpstream.start();
  internal = await PypiUpstream.start();
  for (const name of ['stale-pkg', 'broken-json', 'broken-html', 'html-only', 'slow-pkg', 'acme-secret']) {
    pypi.addProject(name, { releases: { '1.0.0': old }, downloads: 50_000 });
  }
  internal.addProject('acme-secret', { releases: { '1.0.0': old, '1.1.0': { uploaded: new Date(Date.now() - 3_600_000) } } });
  firewall = await startFirewall({
    pypi,
    mounts: 'pypi',
    configure: (config) => {
      config.network = { ...config.network, cacheTtl: TTL, staleIfError: STALE, timeout: 800, retries: 0 };
      config.policy.confusion.pypi = { names: ['acme-secret'], prefixes: [] };
      config.upstreams.pypi.internal = internal.simpleUrl;
    },
  });
});

test.after(async () => {
  await firewall.close();
  await pypi.close();
  await internal.close();
});

test.before.each(() => {
  pypi.clearFaults();
  pypi.resetLog();
  internal.clearFaults();
  internal.resetLog();
});

test('a cached page stands in while the upstream fails, but never past TTL + staleIfError', async () => {
  assert.is((await page('stale-pkg')).status, 200);
  pypi.failWith(503);
  await sleep(TTL + 50);
  const stale = await page('stale-pkg');
  assert.is(stale.status, 200, 'within the stale window');
  assert.ok(pypi.requestsTo(pypi.route.simple('stale-pkg')).length >= 1, 'the upstream was asked first');
  await sleep(TTL + STALE);
  const expired = await page('stale-pkg');
  assert.is(expired.status, 403);
  assert.match(errorOf(expired.text), 'PyPI simple index');
  assert.match(errorOf(expired.text), pypi.simpleUrl);
});

test('a malformed JSON page answers 502 and is not cached', async () => {
  pypi.malformed({ match: pypi.route.simple('broken-json') });
  const answer = await page('broken-json');
  assert.is(answer.status, 502);
  assert.match(errorOf(answer.text), 'cannot read');
  pypi.clearFaults();
  assert.is((await page('broken-json')).status, 200, 'the next request asks again');
});

test('a malformed HTML page from an HTML-only index answers 502 and is not cached', async () => {
  const good = await (await fetch(`${pypi.simpleUrl}broken-html/`, { headers: { accept: 'text/html' } })).text();
  const htmlOnly = (body: string) =>
    pypi.inject(
      { kind: 'status', status: 200, body, headers: { 'content-type': 'text/html' } },
      { match: pypi.route.simple('broken-html') },
    );
  htmlOnly('<html><body><a href="/files/x.whl#sha256=<<<\x00 </a');
  const answer = await page('broken-html');
  assert.is(answer.status, 502);
  assert.match(errorOf(answer.text), 'cannot read');
  assert.match(errorOf(answer.text), 'NUL');
  pypi.clearFaults();
  htmlOnly(good);
  assert.is((await page('broken-html')).status, 200, 'the damaged HTML was not kept: the index is asked again');
});

test('an HTML-only index works: upload times come from the JSON API', async () => {
  const html = await (await fetch(`${pypi.simpleUrl}html-only/`, { headers: { accept: 'text/html' } })).text();
  pypi.inject(
    { kind: 'status', status: 200, body: html, headers: { 'content-type': 'text/html' } },
    { match: pypi.route.simple('html-only') },
  );
  const answer = await page('html-only');
  assert.is(answer.status, 200);
  const body = JSON.parse(answer.text);
  const file = pypi.files('html-only', '1.0.0')[0]!;
  assert.equal(
    body.files.map((f: { filename: string }) => f.filename),
    [file.filename],
  );
  assert.is(Date.parse(body.files[0]['upload-time']), file.uploaded.getTime());
  assert.is(body.files[0].size, file.bytes.length);
  await sleep(TTL + 50);
  pypi.resetLog();
  assert.is((await page('html-only')).status, 200);
  const asked = pypi.requestsTo(pypi.route.simple('html-only'));
  assert.ok(
    asked.length > 0 && asked.every((r) => !r.accept?.includes('json')),
    'an index known to answer HTML is asked for HTML straight away',
  );
});

test('an upstream that does not answer in time: 403 naming the upstream and the timeout', async () => {
  pypi.delay(2_000, { match: pypi.route.simple('slow-pkg') });
  const answer = await page('slow-pkg');
  assert.is(answer.status, 403);
  assert.match(errorOf(answer.text), 'did not answer within 0.8s');
});

test('internal names come only from the internal index; the public one never hears of them', async () => {
  const answer = await page('acme-secret');
  assert.is(answer.status, 200);
  const body = JSON.parse(answer.text);
  assert.equal(body.versions, ['1.0.0'], 'the age gate applies to internal files too');
  const wheel = internal.files('acme-secret', '1.0.0')[0]!;
  const file = await rawGet(firewall.url, `/-/pypi/files/acme-secret/${wheel.filename}`);
  assert.is(file.status, 200);
  assert.ok(file.body.equals(wheel.bytes));
  assert.is(internal.requestsTo(internal.route.file(wheel.filename)).length, 1);
  assert.is(pypi.requests.length, 0, 'not the simple page, the JSON API, pypistats or the file');
  const young = internal.files('acme-secret', '1.1.0')[0]!;
  assert.is((await rawGet(firewall.url, `/-/pypi/files/acme-secret/${young.filename}`)).status, 403);
});

test('upstream stopped and nothing cached: 403 naming the upstream (fail closed, not an empty page)', async () => {
  const gone = await PypiUpstream.start();
  gone.addProject('vanishing', { releases: { '1.0.0': old }, downloads: 50_000 });
  const outage = await startFirewall({
    pypi: gone,
    mounts: 'pypi',
    configure: (config) => void (config.network = { ...config.network, retries: 0 }),
  });
  try {
    await gone.close();
    const answer = await page('vanishing', outage);
    assert.is(answer.status, 403);
    assert.match(errorOf(answer.text), `PyPI simple index at ${gone.simpleUrl}`);
    assert.match(answer.statusMessage, 'fails closed');
    const logged = outage.audit().find((record) => record.name === 'vanishing');
    assert.is(logged?.decision, 'deny', 'the fail-closed refusal is in the audit log');
    assert.is(logged?.findings[0]?.evidence.unavailable, true);
  } finally {
    await outage.close();
  }
});

test.run();
