// Promise 3: hostile input is refused cleanly. A corpus of bad requests to both APIs (path
// traversal in every segment, encoded and double-encoded slashes and dots, NUL and control bytes,
// overlong names and URLs, invalid UTF-8, huge headers, wrong methods, Unicode look-alike names,
// repeated, array-shaped and out-of-range query parameters),
// sent as raw bytes over node:net, gets a 4xx answer: never a 5xx, never silence, never a file
// from outside the data dir, never a file written outside it, never a hostile path passed on to
// an upstream. Afterwards the server still answers a health check and normal requests.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { filesUnder, rawExchange, requestText } from './support.js';

const test = suite('reliability/hostile-input');

const CANARY = `depfence-canary-${Math.random().toString(36).slice(2)}`;
let root: string;
let pypi: PypiUpstream;
let npm: NpmUpstream;
let firewall: TestFirewall;
let wheel: string;

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'depfence-hostile-'));
  // The canary sits next to the data dir; nothing a client sends may ever bring it back.
  writeFileSync(join(root, 'canary.txt'), CANARY);
  writeFileSync(join(root, 'canary.tgz'), CANARY);
  writeFileSync(join(root, 'canary-1.0.0-py3-none-any.whl'), CANARY);
  mkdirSync(join(root, 'data'));
  pypi = await PypiUpstream.start();
  npm = await NpmUpstream.start();
  pypi.addProject('fencepost-lib', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  npm.addPackage('fencepost-js', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 50_000 });
  wheel = pypi.files('fencepost-lib', '1.0.0')[0]!.filename;
  firewall = await startFirewall({
    pypi,
    dataDir: join(root, 'data'),
    configure: (config) => {
      config.upstreams.npm = { ...config.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
    },
  });
  // Warm both sides so the corpus also meets cached state.
  assert.is((await rawExchange(firewall.url, requestText('GET', '/-/pypi/simple/fencepost-lib/'))).status, 200);
  assert.is((await rawExchange(firewall.url, requestText('GET', `/-/pypi/files/fencepost-lib/${wheel}`))).status, 200);
  assert.is((await rawExchange(firewall.url, requestText('GET', '/fencepost-js'))).status, 200);
});

test.after(async () => {
  await firewall?.close();
  await pypi?.close();
  await npm?.close();
  rmSync(root, { recursive: true, force: true });
});

const LONG = 'a'.repeat(5_000);
const CYRILLIC_E = '%D0%B5'; // "е", looks like "e"
const FULLWIDTH_R = '%EF%BD%92'; // "ｒ"

/** Targets (request paths, sent exactly as written) that must be refused. */
const PYPI_TARGETS = [
  // traversal in every segment, plain, encoded, double-encoded, with backslashes and overlong UTF-8
  '/-/pypi/simple/../../../canary.txt',
  '/-/pypi/simple/fencepost-lib/../../../../canary.txt',
  '/-/pypi/simple/..%2f..%2f..%2fcanary.txt/',
  '/-/pypi/simple/%2e%2e/%2e%2e/%2e%2e/canary.txt',
  '/-/pypi/simple/%2E%2E%2F%2E%2E%2Fcanary.txt/',
  '/-/pypi/simple/%252e%252e%252f%252e%252e%252fcanary.txt/',
  '/-/pypi/simple/..%5c..%5ccanary.txt/',
  '/-/pypi/simple/%c0%ae%c0%ae%c0%afcanary.txt/',
  '/-/pypi/%2e%2e/%2e%2e/canary.txt',
  '/-/%2e%2e/%2e%2e/canary.txt',
  '/-/pypi/../../canary.txt',
  '/-/pypi/files/../../../canary.txt',
  '/-/pypi/files/fencepost-lib/../../../../canary.txt',
  '/-/pypi/files/fencepost-lib/..%2f..%2f..%2f..%2fcanary.txt',
  '/-/pypi/files/fencepost-lib/%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/%2e%2e/canary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/..%2f..%2f..%2f/canary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/..%5c..%5c..%5ccanary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/....//....//canary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/%252e%252e%252fcanary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/.%2e/.%2e/.%2e/canary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/canary-1.0.0-py3-none-any.whl%2f..%2f..',
  '/-/pypi/files/fencepost-lib/%2fetc%2fpasswd',
  '/-/pypi/files/fencepost-lib/..',
  // NUL and control bytes, percent-encoded
  '/-/pypi/files/fencepost-lib/fencepost_lib-1.0.0-py3-none-any.whl%00.txt',
  '/-/pypi/simple/fencepost-lib%00/',
  '/-/pypi/simple/fencepost%0d%0aSet-Cookie:%20x=1/',
  '/-/pypi/simple/fencepost%09lib/',
  '/-/pypi/simple/fencepost%7flib/',
  // invalid UTF-8 percent-encodings
  '/-/pypi/simple/%ff%fe/',
  '/-/pypi/simple/fencepost%c3/',
  '/-/pypi/simple/%ed%a0%80/',
  '/-/pypi/files/fencepost-lib/%e0%80%af',
  '/-/pypi/simple/%zz/',
  // overlong names
  `/-/pypi/simple/${LONG}/`,
  `/-/pypi/files/fencepost-lib/${'a'.repeat(300)}-1.0.0-py3-none-any.whl`,
  `/-/pypi/files/${LONG}/x-1.0.0.tar.gz`,
  // Unicode look-alikes and other names that are not names
  `/-/pypi/simple/fencepost-lib${CYRILLIC_E}/`,
  `/-/pypi/simple/${FULLWIDTH_R}equests/`,
  '/-/pypi/simple/%e2%80%aefencepost/',
  '/-/pypi/simple/fence%20post/',
  '/-/pypi/simple/-fencepost/',
  `/-/pypi/files/fencepost-lib/fencepost_lib-1.0.0-py3-none-any.wh${CYRILLIC_E}l`,
  // files the project does not have, or another project's
  '/-/pypi/files/fencepost-lib/canary-1.0.0-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/fencepost_lib-9.9.9-py3-none-any.whl',
  '/-/pypi/files/fencepost-lib/README',
  // odd formats and queries
  '/-/pypi/simple/fencepost-lib/?format=application/x-evil',
  `/-/pypi/simple/fencepost-lib/?format=${'x'.repeat(6_000)}`,
];

const NPM_TARGETS = [
  '/../../../canary.txt',
  '/fencepost-js/../../../canary.txt',
  '/%2e%2e/%2e%2e/canary.txt',
  '/..%2f..%2f..%2fcanary.txt',
  '/%252e%252e%252fcanary.txt',
  '/..%5c..%5ccanary.txt',
  '/%c0%ae%c0%ae%c0%afcanary.txt',
  '/fencepost-js/-/..%2f..%2f..%2f..%2fcanary.tgz',
  '/fencepost-js/-/%2e%2e%2f%2e%2e%2f%2e%2e%2fcanary.tgz',
  '/fencepost-js/-/../../../canary.tgz',
  '/fencepost-js/-/..%5c..%5c..%5ccanary.tgz',
  '/fencepost-js/-/....//....//canary.tgz',
  '/fencepost-js/%2e%2e/%2e%2e/canary.txt',
  '/fencepost-js/..',
  '/@scope/../../canary.txt',
  '/@scope%2f..%2f..%2fcanary.txt',
  '/%40scope%2f%2e%2e',
  '/@scope/x/-/..%2f..%2f..%2fcanary.tgz',
  '/@%2e%2e/x',
  '/-/../canary.txt',
  '/-/%2e%2e/%2e%2e/canary.txt',
  '/-/static/../../../canary.txt',
  '/-/static/%2e%2e/%2e%2e/canary.txt',
  '/-/verdaccio/../../canary.txt',
  '/-/v1/search/../../../canary.txt',
  // NUL and control bytes
  '/fencepost-js%00',
  '/fencepost-js/-/fencepost-js-1.0.0.tgz%00.txt',
  '/fencepost-js%0d%0aSet-Cookie:%20x=1',
  '/fencepost%09js',
  '/-/v1/search%00',
  // invalid UTF-8
  '/%ff%fe',
  '/fencepost-js%c3',
  '/%ed%a0%80',
  '/%zz',
  // overlong
  `/${LONG}`,
  `/fencepost-js/-/${'a'.repeat(300)}.tgz`,
  `/@${LONG}/x`,
  // look-alikes and non-names
  `/fencepost-j${CYRILLIC_E}s`,
  `/${FULLWIDTH_R}eact`,
  '/%e2%80%aefencepost-js',
  '/Fencepost%20JS',
  '/.fencepost-js',
  '/_fencepost',
  '/fencepost-js/-/fencepost-js-1.0.0.zip',
  // tarballs the package does not have, or another package's
  '/fencepost-js/-/canary.tgz',
  '/fencepost-js/-/fencepost-js-9.9.9.tgz',
  '/fencepost-js/-/left-pad-1.0.0.tgz',
  '/fencepost-js/9.9.9',
];

/**
 * Hostile query strings on every route that reads one: repeated, array- and object-shaped (the way
 * Express's `qs` parser builds them), and out of range. One of these ended the process once.
 */
const QUERY_TARGETS = [
  '/-/v1/search?text=a&text=b',
  '/-/v1/search?text[]=x',
  '/-/v1/search?text%5B%5D=x',
  '/-/v1/search?text[0]=x',
  '/-/v1/search?text[a][b]=x',
  '/-/v1/search?text.a=x',
  '/-/v1/search?text=fencepost&size=a&size=b',
  '/-/v1/search?text=fencepost&size[]=1',
  '/-/v1/search?text=fencepost&size=-1',
  '/-/v1/search?text=fencepost&size=99999999999999999999',
  '/-/v1/search?text=fencepost&from=-5',
  '/-/v1/search?text=fencepost&from=1e99',
  '/-/v1/search?text=fencepost&quality=2',
  '/-/v1/search?text=fencepost&popularity=NaN',
  '/-/v1/search?text=fencepost&maintenance[]=1',
  '/-/v1/search?text=fencepost&local[]=1',
  `/-/v1/search?text=${'a'.repeat(3_000)}`,
  '/-/v1/search?text=fence%00post',
  '/-/v1/search?text=%zz',
  '/-/v1/search?__proto__[x]=1',
  '/-/v1/search?constructor[prototype][x]=1',
  '/fencepost-js?write=true&write=true',
  '/fencepost-js?write[]=true',
  '/fencepost-js?write=maybe',
  '/fencepost-js/1.0.0?write[a]=1',
  '/fencepost-js/-/fencepost-js-1.0.0.tgz?write=1&write=2',
  '/-/package/fencepost-js/dist-tags?write[]=1',
  '/-/whoami?write[]=true',
  '/-/ping?write=a&write=b',
  '/-/_view/starredByUser?key[]=x',
  '/-/all?startkey[]=1',
  '/-/pypi/simple/fencepost-lib/?format=a&format=b',
  '/-/pypi/simple/fencepost-lib/?format[]=x',
  '/-/pypi/simple/?format[a]=x',
];

/** Requests that are wrong as HTTP, or wrong in their method or headers. */
function protocolCorpus(): { label: string; bytes: string | Buffer }[] {
  const corpus: { label: string; bytes: string | Buffer }[] = [];
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'FOO']) {
    corpus.push({
      label: `${method} on a PyPI page`,
      bytes: requestText(method, '/-/pypi/simple/fencepost-lib/', [], method === 'GET' ? '' : 'x=1'),
    });
    corpus.push({ label: `${method} on a PyPI file`, bytes: requestText(method, `/-/pypi/files/fencepost-lib/${wheel}`) });
    corpus.push({
      label: `${method} on an npm packument`,
      bytes: requestText(
        method,
        '/fencepost-js',
        ['Content-Type: application/json'],
        method === 'DELETE' || method === 'OPTIONS' ? '' : '{"name":"fencepost-js"}',
      ),
    });
    corpus.push({ label: `${method} on an npm tarball`, bytes: requestText(method, '/fencepost-js/-/fencepost-js-1.0.0.tgz') });
    corpus.push({ label: `${method} on the npm root`, bytes: requestText(method, '/') });
  }
  corpus.push({ label: 'DELETE an npm revision', bytes: requestText('DELETE', '/fencepost-js/-rev/1-abc') });
  corpus.push({
    label: 'PUT a user',
    bytes: requestText('PUT', '/-/user/org.couchdb.user:mallory', ['Content-Type: application/json'], '{"name":"mallory","password":"x"}'),
  });
  corpus.push({ label: 'CONNECT to a metadata address', bytes: 'CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\n\r\n' });
  corpus.push({ label: 'absolute-form target (proxy request)', bytes: requestText('GET', 'http://169.254.169.254/latest/meta-data/') });
  corpus.push({ label: 'absolute-form file: target', bytes: requestText('GET', 'file:///etc/passwd') });
  corpus.push({ label: 'asterisk target', bytes: requestText('OPTIONS', '*') });
  corpus.push({ label: 'a target that is not a path', bytes: requestText('GET', 'fencepost-js') });
  corpus.push({
    label: 'a raw NUL in the request line',
    bytes: Buffer.from('GET /-/pypi/simple/fence\0post/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'),
  });
  corpus.push({
    label: 'raw control bytes in the request line',
    bytes: Buffer.from('GET /fencepost\x01\x7f-js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'),
  });
  corpus.push({
    label: 'raw non-ASCII bytes in the target',
    bytes: Buffer.concat([
      Buffer.from('GET /fencepost-j'),
      Buffer.from([0xd0, 0xb5]),
      Buffer.from('s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ]),
  });
  corpus.push({
    label: 'raw invalid UTF-8 in the target',
    bytes: Buffer.concat([
      Buffer.from('GET /-/pypi/simple/'),
      Buffer.from([0xff, 0xc0, 0xae]),
      Buffer.from('/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ]),
  });
  corpus.push({ label: 'a raw backslash path', bytes: requestText('GET', '/-/pypi/files/fencepost-lib/..\\..\\..\\canary.txt') });
  corpus.push({ label: 'an overlong URL (100 kB)', bytes: requestText('GET', `/-/pypi/simple/${'a'.repeat(100_000)}/`) });
  corpus.push({ label: 'an overlong npm URL (100 kB)', bytes: requestText('GET', `/${'a'.repeat(100_000)}`) });
  corpus.push({ label: 'one huge header (100 kB)', bytes: requestText('GET', '/fencepost-js', [`X-Big: ${'a'.repeat(100_000)}`]) });
  corpus.push({
    label: 'a huge Accept header',
    bytes: requestText('GET', '/-/pypi/simple/fencepost-lib/', [`Accept: ${'text/x-a;q=0.1, '.repeat(4_000)}`]),
  });
  corpus.push({
    label: 'thousands of headers',
    bytes: requestText(
      'GET',
      '/-/pypi/simple/fencepost-lib/',
      Array.from({ length: 3_000 }, (_, i) => `X-H${i}: ${i}`),
    ),
  });
  corpus.push({
    label: 'a header with a raw NUL',
    bytes: Buffer.from('GET /fencepost-js HTTP/1.1\r\nHost: x\r\nAccept: a\0b\r\nConnection: close\r\n\r\n', 'latin1'),
  });
  corpus.push({ label: 'no Host header', bytes: 'GET /fencepost-js HTTP/1.1\r\nConnection: close\r\n\r\n' });
  corpus.push({ label: 'an unknown HTTP version', bytes: 'GET /fencepost-js HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n' });
  corpus.push({ label: 'garbage instead of a request line', bytes: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n' });
  corpus.push({
    label: 'Content-Length and Transfer-Encoding together',
    bytes:
      'POST /-/depfence/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
  });
  corpus.push({
    label: 'a negative Content-Length',
    bytes: 'POST /-/depfence/decide HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n',
  });
  corpus.push({
    label: 'a decide body that is not JSON',
    bytes: requestText('POST', '/-/depfence/decide', ['Content-Type: application/json'], '{"packages": ['),
  });
  corpus.push({
    label: 'a decide body naming a traversal',
    bytes: requestText(
      'POST',
      '/-/depfence/decide',
      ['Content-Type: application/json'],
      '{"packages":[{"ecosystem":"pypi","name":"../../canary.txt","version":null}]}',
    ),
  });
  corpus.push({
    label: 'a decide body naming a look-alike',
    bytes: requestText(
      'POST',
      '/-/depfence/decide',
      ['Content-Type: application/json'],
      '{"packages":[{"ecosystem":"npm","name":"fencepost-j\u0435s","version":"../../x"}]}',
    ),
  });
  corpus.push({
    label: 'a decide body of 2 MB',
    bytes: requestText(
      'POST',
      '/-/depfence/decide',
      ['Content-Type: application/json'],
      `{"packages":[${'{"ecosystem":"npm","name":"a","version":null},'.repeat(45_000)}{}]}`,
    ),
  });
  corpus.push({ label: 'GET on decide', bytes: requestText('GET', '/-/depfence/decide') });
  corpus.push({ label: 'an unknown admin endpoint', bytes: requestText('GET', '/-/depfence/../../canary.txt') });
  return corpus;
}

/**
 * Requests that are odd but not wrong: HTTP lets a server ignore an Upgrade it does not speak, and
 * Node keeps the first of two Host headers. These may be answered normally; never with a 5xx.
 */
function oddButHarmless(): { label: string; bytes: string | Buffer }[] {
  return [
    {
      label: 'Upgrade: websocket',
      bytes: requestText('GET', '/fencepost-js', [
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
      ]),
    },
    {
      label: 'Upgrade: h2c',
      bytes: requestText('GET', '/-/pypi/simple/fencepost-lib/', ['Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA']),
    },
    { label: 'two Host headers', bytes: 'GET /fencepost-js HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n' },
    {
      label: 'a weird Range on a file',
      bytes: requestText('GET', `/-/pypi/files/fencepost-lib/${wheel}`, ['Range: bytes=99999999999999999999-,-0,5-2']),
    },
    { label: 'an If-None-Match of garbage', bytes: requestText('GET', '/fencepost-js', [`If-None-Match: ${'"x",'.repeat(1_000)}*`]) },
    {
      label: 'an Accept with bad q-values',
      bytes: requestText('GET', '/-/pypi/simple/fencepost-lib/', ['Accept: application/vnd.pypi.simple.v1+json;q=NaN, */*;q=-1']),
    },
  ];
}

interface Outcome {
  label: string;
  status: number | null;
  problem: string | null;
}

function judge(label: string, status: number | null, body: Buffer, mayPass = false): Outcome {
  let problem: string | null = null;
  if (status === null) problem = 'the server closed the connection without an answer';
  else if (status >= 500) problem = `answered ${status}: ${body.toString('utf8').slice(0, 300)}`;
  else if (status < 400 && !mayPass) problem = `answered ${status} instead of refusing`;
  if (body.includes(CANARY)) problem = `served the canary file (${status})`;
  if (body.includes('root:x:0:0')) problem = `served /etc/passwd (${status})`;
  return { label, status, problem };
}

test('every hostile request to both APIs gets a 4xx, nothing outside the data dir is read or written, nothing hostile goes upstream', async () => {
  const before = filesUnder(root).filter((file) => !file.startsWith('data/'));
  const upstreamBefore = { pypi: pypi.requests.length, npm: npm.requests.length };
  const outcomes: Outcome[] = [];
  for (const target of [...PYPI_TARGETS, ...NPM_TARGETS, ...QUERY_TARGETS]) {
    for (const method of ['GET', 'HEAD']) {
      const reply = await rawExchange(firewall.url, requestText(method, target));
      outcomes.push(judge(`${method} ${target.length > 100 ? `${target.slice(0, 100)}…` : target}`, reply.status, reply.raw));
    }
  }
  for (const { label, bytes } of protocolCorpus()) {
    const reply = await rawExchange(firewall.url, bytes);
    outcomes.push(judge(label, reply.status, reply.raw));
  }
  for (const { label, bytes } of oddButHarmless()) {
    const reply = await rawExchange(firewall.url, bytes);
    outcomes.push(judge(label, reply.status, reply.raw, true));
  }
  const failures = outcomes.filter((outcome) => outcome.problem !== null).map((outcome) => `${outcome.label}: ${outcome.problem}`);
  assert.equal(failures, [], `${failures.length} of ${outcomes.length} hostile requests were not refused cleanly:\n${failures.join('\n')}`);

  const after = filesUnder(root).filter((file) => !file.startsWith('data/'));
  assert.equal(after, before, 'no file appeared (or went) outside the data dir');
  const forwarded = [...pypi.requests.slice(upstreamBefore.pypi), ...npm.requests.slice(upstreamBefore.npm)].map((request) => request.path);
  const hostile = forwarded.filter((path) => /\.\.|%2e|%2f|%5c|%00|canary|passwd|%ff|%d0/i.test(path));
  assert.equal(hostile, [], 'no hostile path was passed on to an upstream');
  const dataFiles = filesUnder(join(root, 'data'));
  assert.equal(
    dataFiles.filter((file) => /canary|passwd|\.\./.test(file)),
    [],
    'nothing named by the corpus was written in the data dir',
  );
});

test('after the corpus the server still serves: health, a page, a file, a packument and a tarball', async () => {
  const health = await rawExchange(firewall.url, requestText('GET', '/-/depfence/health'));
  assert.is(health.status, 200);
  assert.is((JSON.parse(health.body.toString('utf8')) as { ok: boolean }).ok, true);
  const page = await rawExchange(
    firewall.url,
    requestText('GET', '/-/pypi/simple/fencepost-lib/', ['Accept: application/vnd.pypi.simple.v1+json']),
  );
  assert.is(page.status, 200);
  const file = await fetch(`${firewall.url}/-/pypi/files/fencepost-lib/${wheel}`);
  assert.is(file.status, 200);
  const bytes = Buffer.from(await file.arrayBuffer());
  assert.is(createHash('sha256').update(bytes).digest('hex'), pypi.files('fencepost-lib', '1.0.0')[0]!.sha256);
  const packument = await fetch(`${firewall.url}/fencepost-js`);
  assert.is(packument.status, 200);
  const tarball = await fetch(`${firewall.url}/fencepost-js/-/fencepost-js-1.0.0.tgz`);
  assert.is(tarball.status, 200);
  assert.ok(Buffer.from(await tarball.arrayBuffer()).equals(npm.tarball('fencepost-js', '1.0.0').bytes));
});

test.run();
