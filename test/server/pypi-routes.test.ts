// The PyPI side of `depfence serve` over real HTTP against the fixture upstream: project pages
// (both formats, filtered per file), refusals, the file route (verification, caching, ranges),
// bad input, the root page and the audit log.
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLog } from '../../src/cli/log.js';
import type { WireFile, WireProjectPage, WireRootPage } from '../../src/protocol/pypi/wire.js';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { rawGet, refusalError } from '../helpers/http.js';

const test = suite('server/pypi-routes');
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
const PIP_UA = 'pip/23.2.1 {"ci":null}';
const HOUR = 3_600_000;
const hourAgo = () => new Date(Date.now() - HOUR);

let pypi: PypiUpstream;
let firewall: TestFirewall;

const get = (path: string, headers: Record<string, string> = {}) => rawGet(firewall.url, path, { 'user-agent': PIP_UA, ...headers });
const page = async (name: string, accept = PIP_ACCEPT) => get(`/-/pypi/simple/${name}/`, { accept });
const filePath = (project: string, filename: string) => `/-/pypi/files/${project}/${filename}`;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('Demo_Pkg', {
    releases: {
      '1.0.0': { uploaded: daysAgo(400), requiresPython: '>=3.8' },
      '1.1.0': { uploaded: daysAgo(300), files: [{ kind: 'wheel' }, { kind: 'sdist', uploaded: hourAgo() }] },
      '1.2.0': { uploaded: daysAgo(200), yanked: 'bad build' },
      '2.0.0': { uploaded: hourAgo() },
    },
    downloads: 50_000,
  });
  pypi.addProject('reqeusts', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50 });
  pypi.addProject('files-pkg', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  pypi.addProject('tampered-pkg', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  pypi.addProject('acme-secret', { releases: { '9.9.9': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  pypi.addProject('odd-files', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  firewall = await startFirewall({
    pypi,
    mounts: 'pypi',
    configure: (config) => void (config.policy.confusion.pypi = { names: ['acme-secret'], prefixes: ['acme-internal-'] }),
  });
});

test.after(async () => {
  await firewall.close();
  await pypi.close();
});

test.before.each(() => {
  pypi.clearFaults();
  pypi.resetLog();
});

// ── project pages ──────────────────────────────────────────────────────────────────────────────

test('JSON page: per-file age, yanked with reason, requires-python, core-metadata, versions of the files served', async () => {
  const answer = await page('demo-pkg');
  assert.is(answer.status, 200);
  assert.is(answer.headers['content-type'], JSON_TYPE);
  assert.is(answer.headers.vary, 'Accept');
  const body = JSON.parse(answer.text) as WireProjectPage;
  assert.is(body.meta['api-version'], '1.1');
  assert.is(body.name, 'demo-pkg');
  assert.equal(
    body.files.map((f) => f.filename),
    ['demo_pkg-1.0.0-py3-none-any.whl', 'demo_pkg-1.1.0-py3-none-any.whl', 'demo_pkg-1.2.0-py3-none-any.whl'],
  );
  assert.equal(body.versions, ['1.0.0', '1.1.0', '1.2.0'], 'versions hidden entirely (2.0.0) are not listed');
  const [first, , yanked] = body.files as [WireFile, WireFile, WireFile];
  const upstream = pypi.files('Demo_Pkg', '1.0.0')[0]!;
  assert.is(first.url, '../../files/demo-pkg/demo_pkg-1.0.0-py3-none-any.whl');
  assert.equal(first.hashes, { sha256: upstream.sha256 });
  assert.is(first['requires-python'], '>=3.8');
  assert.equal(first['core-metadata'], { sha256: sha256(upstream.metadata!) });
  assert.is(first.size, upstream.bytes.length);
  assert.is(Date.parse(first['upload-time'] ?? ''), upstream.uploaded.getTime());
  assert.is(yanked.yanked, 'bad build');
  assert.is(first.yanked, false);
});

test('HTML page (text/html and v1+html) lists the same files, escaped, with the PEP 629 meta tag', async () => {
  const html = await page('demo-pkg', 'text/html');
  assert.is(html.status, 200);
  assert.is(html.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(html.text, '<meta name="pypi:repository-version" content="1.1">');
  assert.match(html.text, 'data-requires-python="&gt;=3.8"');
  assert.match(html.text, 'data-yanked="bad build"');
  const hrefs = [...html.text.matchAll(/href="([^"#]+)/g)].map((m) => m[1]);
  assert.equal(hrefs, [
    '../../files/demo-pkg/demo_pkg-1.0.0-py3-none-any.whl',
    '../../files/demo-pkg/demo_pkg-1.1.0-py3-none-any.whl',
    '../../files/demo-pkg/demo_pkg-1.2.0-py3-none-any.whl',
  ]);
  const v1 = await page('demo-pkg', 'application/vnd.pypi.simple.v1+html');
  assert.is(v1.headers['content-type'], 'application/vnd.pypi.simple.v1+html');
  const formatted = await get('/-/pypi/simple/demo-pkg/?format=application/vnd.pypi.simple.v1%2Bjson', { accept: 'text/html' });
  assert.is(formatted.headers['content-type'], JSON_TYPE);
  const refused = await page('demo-pkg', 'application/json');
  assert.is(refused.status, 406);
  assert.match(refused.text, 'application/vnd.pypi.simple.v1+json');
});

test('ETag revalidation answers 304', async () => {
  const first = await page('demo-pkg');
  const again = await get('/-/pypi/simple/demo-pkg/', { accept: PIP_ACCEPT, 'if-none-match': String(first.headers.etag) });
  assert.is(again.status, 304);
});

test('unnormalised names and a missing slash redirect (301) to the normalised URL', async () => {
  for (const [path, location] of [
    ['/-/pypi/simple/Demo_Pkg/', '/-/pypi/simple/demo-pkg/'],
    ['/-/pypi/simple/demo.pkg', '/-/pypi/simple/demo-pkg/'],
    ['/-/pypi/simple/demo-pkg', '/-/pypi/simple/demo-pkg/'],
  ]) {
    const answer = await get(path!);
    assert.is(answer.status, 301, path);
    assert.is(answer.headers.location, location);
  }
  assert.is(pypi.requests.length, 0, 'a redirect asks nothing upstream');
});

test('a denied project answers 403 with the reason: JSON with the decision for JSON clients, HTML for HTML clients', async () => {
  const json = await page('reqeusts');
  assert.is(json.status, 403);
  const body = JSON.parse(json.text) as { error: string; decision: { decision: string; findings: { check: string }[] } };
  assert.match(body.error, /^depfence: the project reqeusts is blocked: .*typosquat of requests/);
  assert.is(body.decision.decision, 'deny');
  assert.ok(body.decision.findings.some((f) => f.check === 'typosquat'));
  assert.match(json.statusMessage, /^depfence: the project reqeusts is blocked/, 'pip prints the reason phrase');
  const html = await page('reqeusts', 'text/html');
  assert.is(html.status, 403);
  assert.is(html.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(html.text, 'typosquat of requests');
});

test('upstream 404 answers 404', async () => {
  const answer = await page('no-such-project');
  assert.is(answer.status, 404);
  assert.match(refusalError(answer.text), 'has no project named no-such-project');
});

test('an internal name without an internal upstream: 403 naming the rule, and the public index is never asked', async () => {
  for (const name of ['acme-secret', 'acme-internal-tools']) {
    const answer = await page(name);
    assert.is(answer.status, 403, name);
    assert.match(refusalError(answer.text), 'policy.confusion.pypi');
    assert.match(refusalError(answer.text), 'upstreams.pypi.internal');
  }
  const file = await get(filePath('acme-secret', 'acme_secret-9.9.9-py3-none-any.whl'));
  assert.is(file.status, 403);
  assert.is(pypi.requests.filter((r) => r.path.includes('acme')).length, 0, 'no request names the internal package');
});

// ── bad input ──────────────────────────────────────────────────────────────────────────────────

test('bad names and paths answer 400 before anything is fetched', async () => {
  const paths = [
    '/-/pypi/simple/-leading-dash/',
    '/-/pypi/simple/has%2Fslash/',
    '/-/pypi/simple/has%5Cbackslash/',
    '/-/pypi/simple/../demo-pkg/',
    '/-/pypi/files/demo-pkg/../../simple/demo-pkg/',
    '/-/pypi/simple/%2e%2e/',
    `/-/pypi/simple/${'x'.repeat(300)}/`,
    '/-/pypi/simple/sp%20ace/',
    '/-/pypi/files/demo-pkg/..%2F..%2Fserver.json',
    '/-/pypi/files/demo-pkg/%2e%2e',
    '/-/pypi/files/Demo_Pkg/demo_pkg-1.0.0-py3-none-any.whl',
    '/-/pypi/files/demo-pkg/bad%00name.whl',
  ];
  for (const path of paths) {
    const answer = await get(path);
    assert.is(answer.status, 400, path);
    assert.match(refusalError(answer.text), /^depfence: /);
  }
  assert.is(pypi.requests.length, 0);
  assert.is((await get('/-/pypi/simple/demo-pkg/extra/segments')).status, 404);
  const escaping = await get('/-/pypi/simple/../../etc/passwd');
  assert.ok(escaping.status === 404 || escaping.status === 400, 'a path that leaves /-/pypi/ is not ours to serve');
});

test('only GET and HEAD', async () => {
  assert.is((await rawGet(firewall.url, '/-/pypi/simple/demo-pkg/', {}, 'POST')).status, 405);
  const head = await rawGet(firewall.url, '/-/pypi/simple/demo-pkg/', { accept: PIP_ACCEPT }, 'HEAD');
  assert.is(head.status, 200);
  assert.is(head.body.length, 0);
});

// ── files ──────────────────────────────────────────────────────────────────────────────────────

test('a file is fetched once, verified, cached, and served from the cache afterwards (with ranges)', async () => {
  const wheel = pypi.files('files-pkg', '1.0.0')[0]!;
  const path = filePath('files-pkg', wheel.filename);
  const first = await get(path);
  assert.is(first.status, 200);
  assert.ok(first.body.equals(wheel.bytes));
  assert.is(first.headers['accept-ranges'], 'bytes');
  assert.is(pypi.requestsTo(pypi.route.file(wheel.filename)).length, 1);
  const second = await get(path);
  assert.ok(second.body.equals(wheel.bytes));
  assert.is(pypi.requestsTo(pypi.route.file(wheel.filename)).length, 1, 'the second request is served from the cache');

  const range = await get(path, { range: 'bytes=10-19' });
  assert.is(range.status, 206);
  assert.is(range.headers['content-range'], `bytes 10-19/${wheel.bytes.length}`);
  assert.ok(range.body.equals(wheel.bytes.subarray(10, 20)));
  const suffix = await get(path, { range: 'bytes=-22' });
  assert.ok(suffix.body.equals(wheel.bytes.subarray(wheel.bytes.length - 22)), 'the zip end record, as uv reads it');
  const unsatisfiable = await get(path, { range: `bytes=${wheel.bytes.length}-` });
  assert.is(unsatisfiable.status, 416);
  assert.is(unsatisfiable.headers['content-range'], `bytes */${wheel.bytes.length}`);
});

test('core metadata (PEP 658) is served through the firewall, verified against its hash', async () => {
  const wheel = pypi.files('files-pkg', '1.0.0')[0]!;
  const answer = await get(`${filePath('files-pkg', wheel.filename)}.metadata`);
  assert.is(answer.status, 200);
  assert.is(answer.text, wheel.metadata);
  pypi.corrupt({ match: pypi.route.metadata() });
  const tampered = pypi.files('tampered-pkg', '1.0.0')[0]!;
  const bad = await get(`${filePath('tampered-pkg', tampered.filename)}.metadata`);
  assert.is(bad.status, 502);
  assert.match(refusalError(bad.text), 'sha256');
});

test('a file whose bytes do not match the index hash is refused (502) and nothing is cached', async () => {
  const wheel = pypi.files('tampered-pkg', '1.0.0')[0]!;
  const path = filePath('tampered-pkg', wheel.filename);
  pypi.corrupt({ match: pypi.route.file(wheel.filename) });
  const answer = await get(path);
  assert.is(answer.status, 502);
  assert.match(refusalError(answer.text), `the index lists ${wheel.sha256}`);
  pypi.clearFaults();
  const retry = await get(path);
  assert.is(retry.status, 200, 'the bad copy was not kept');
  assert.ok(retry.body.equals(wheel.bytes));
  assert.is(pypi.requestsTo(pypi.route.file(wheel.filename)).length, 2);
});

test('files of hidden versions and denied projects are refused (403) even when asked for directly', async () => {
  const young = pypi.files('Demo_Pkg', '2.0.0')[0]!;
  const hidden = await get(filePath('demo-pkg', young.filename));
  assert.is(hidden.status, 403);
  assert.match(refusalError(hidden.text), 'held back');
  const youngSdist = pypi.files('Demo_Pkg', '1.1.0')[1]!;
  assert.is((await get(filePath('demo-pkg', youngSdist.filename))).status, 403, 'age is per file: the young sdist of an old release');
  const squat = pypi.files('reqeusts', '1.0.0')[0]!;
  const denied = await get(filePath('reqeusts', squat.filename));
  assert.is(denied.status, 403);
  assert.match(refusalError(denied.text), 'typosquat');
  assert.is(pypi.requestsTo(pypi.route.file()).length, 0, 'no refused file was fetched');
  assert.is((await get(filePath('demo-pkg', 'demo_pkg-9.9.9-py3-none-any.whl'))).status, 404, 'a file the page does not list');
});

test('files without a sha256, without an upload time, listed twice, or on a URL the firewall does not fetch are left out', async () => {
  const upstream = (await (await fetch(`${pypi.simpleUrl}odd-files/`, { headers: { accept: JSON_TYPE } })).json()) as WireProjectPage;
  const good = upstream.files[0]!;
  const odd = (filename: string, changes: object) => ({ ...good, filename, ...changes });
  upstream.files.push(
    odd('odd_files-0.1.0-py3-none-any.whl', { hashes: {} }),
    odd('odd_files-0.2.0-py3-none-any.whl', { 'upload-time': undefined }),
    odd('odd_files-0.3.0-py3-none-any.whl', { url: 'file:///etc/passwd' }),
    odd('odd_files-0.4.0-py3-none-any.whl', { url: 'http://169.254.169.254/latest/meta-data' }),
    odd('other_project-1.0-py3-none-any.whl', {}),
    odd(good.filename, { hashes: { sha256: 'f'.repeat(64) } }),
  );
  pypi.inject(
    { kind: 'status', status: 200, body: JSON.stringify(upstream), headers: { 'content-type': JSON_TYPE } },
    { match: pypi.route.simple('odd-files') },
  );
  const answer = JSON.parse((await page('odd-files')).text) as WireProjectPage;
  assert.equal(
    answer.files.map((f) => f.filename),
    ['odd_files-1.0.0-py3-none-any.whl'],
  );
  for (const filename of ['odd_files-0.3.0-py3-none-any.whl', 'odd_files-0.4.0-py3-none-any.whl']) {
    const direct = await get(filePath('odd-files', filename));
    assert.is(direct.status, 403, filename);
  }
  assert.is(
    pypi.requests.filter((r) => !r.path.startsWith('/simple/') && !r.path.startsWith('/pypi/') && !r.path.startsWith('/api/')).length,
    0,
  );
});

// ── root page, audit, report mode ──────────────────────────────────────────────────────────────

test('the root page lists the projects this firewall has served, in both formats', async () => {
  const json = JSON.parse((await get('/-/pypi/simple/', { accept: JSON_TYPE })).text) as WireRootPage;
  assert.equal(json.meta, { 'api-version': '1.1' });
  const names = json.projects.map((p) => p.name);
  assert.ok(names.includes('demo-pkg'));
  assert.not.ok(names.includes('reqeusts'), 'refused projects are not listed');
  const html = await get('/-/pypi/simple/');
  assert.match(html.text, '<a href="demo-pkg/">demo-pkg</a>');
});

test('every decision is in the audit log with client and subject, and `depfence log` prints it', () => {
  const records = firewall.audit();
  const pageRecord = records.find((r) => r.name === 'demo-pkg' && r.version === null && r.subject === 'project page');
  assert.ok(pageRecord);
  assert.is(pageRecord.client, 'pip');
  assert.is(pageRecord.mode, 'enforce');
  assert.ok(records.some((r) => r.name === 'demo-pkg' && r.version === '2.0.0' && r.decision === 'deny' && r.subject === 'project page'));
  assert.ok(records.some((r) => r.name === 'files-pkg' && r.version === '1.0.0' && r.decision === 'allow' && r.subject === 'file'));
  assert.ok(records.some((r) => r.name === 'reqeusts' && r.decision === 'deny'));
  const lines: string[] = [];
  runLog(firewall.config, { limit: 1000, json: false, decision: 'deny' }, new Date(), (line) => lines.push(line));
  assert.ok(lines.some((line) => line.includes('reqeusts') && line.includes('typosquat')));
});

test('report mode: denied projects and hidden files are served, and the log says what enforce would do', async () => {
  const report = await startFirewall({ pypi, mounts: 'pypi', configure: (config) => void (config.mode = 'report') });
  try {
    const squat = await rawGet(report.url, '/-/pypi/simple/reqeusts/', { accept: PIP_ACCEPT });
    assert.is(squat.status, 200);
    const demo = JSON.parse((await rawGet(report.url, '/-/pypi/simple/demo-pkg/', { accept: PIP_ACCEPT })).text) as WireProjectPage;
    assert.ok(demo.files.some((f) => f.filename === 'demo_pkg-2.0.0-py3-none-any.whl'));
    const young = pypi.files('Demo_Pkg', '2.0.0')[0]!;
    assert.is((await rawGet(report.url, filePath('demo-pkg', young.filename))).status, 200);
    const denied = report.audit().filter((r) => r.decision === 'deny');
    assert.ok(denied.some((r) => r.name === 'reqeusts' && r.mode === 'report'));
    assert.ok(denied.some((r) => r.name === 'demo-pkg' && r.version === '2.0.0' && r.subject === 'file'));
  } finally {
    await report.close();
  }
});

test.run();
