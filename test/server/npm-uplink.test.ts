// depfence's uplink listener with the secret in hand (as the registry process has it): it is still
// no open proxy. It answers only the fixed uplink origin, builds every upstream URL itself, never
// asks the public registry about a reserved name, and points every tarball back at itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDecider } from '../../src/sources/decide.js';
import { BoundedMap } from '../../src/server/npm/bounded-map.js';
import { VerdictBook } from '../../src/server/npm/filter/verdict-book.js';
import { UPLINK_ORIGIN } from '../../src/server/npm/uplink/addresses.js';
import { startUplinkListener, type UplinkListener } from '../../src/server/npm/uplink/listener.js';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { testConfig } from '../helpers/firewall.js';
import { rawRequest } from '../helpers/npm-firewall.js';

let npm: NpmUpstream;
let other: NpmUpstream;
let listener: UplinkListener;
let dataDir: string;
const book = new VerdictBook();

test.before(async () => {
  npm = await NpmUpstream.start();
  other = await NpmUpstream.start();
  npm.addPackage('left-pad', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 5_000_000 });
  npm.addPackage('@mycorp/secret', { versions: { '9.0.0': { published: daysAgo(400) } }, downloads: 5_000_000 });
  dataDir = mkdtempSync(join(tmpdir(), 'depfence-uplink-'));
  const config = testConfig({
    dataDir,
    configure: (c) => {
      c.upstreams.npm = { ...c.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
      c.policy.confusion.npm.scopes = ['mycorp'];
    },
  });
  listener = await startUplinkListener({
    config,
    decider: createDecider(config),
    book,
    enforce: true,
    now: () => new Date(),
    tmpDir: dataDir,
    failures: new BoundedMap(10),
    packumentFailures: new BoundedMap(10),
    unreadable: new BoundedMap(10),
  });
});

test.after(async () => {
  await listener?.close();
  await npm?.close();
  await other?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const ask = (path: string) => rawRequest(listener.addresses.listener, path, { headers: { authorization: `Bearer ${listener.secret}` } });

test('serves the configured registry only, under the fixed uplink origin', async () => {
  const doc = await ask(`${UPLINK_ORIGIN}/public/left-pad`);
  assert.is(doc.status, 200, doc.text);
  const tarball = (doc.json!.versions as Record<string, { dist: { tarball: string } }>)['1.0.0']!.dist.tarball;
  assert.is(tarball, `${UPLINK_ORIGIN}/public/left-pad/-/left-pad-1.0.0.tgz`, 'tarballs point back at the listener');
  const again = await rawRequest(listener.addresses.listener, `${UPLINK_ORIGIN}/public/left-pad`, {
    headers: { authorization: `Bearer ${listener.secret}`, 'if-none-match': String(doc.headers.etag) },
  });
  assert.is(again.status, 304, 'revalidation costs nothing');
  const bytes = await ask(`${UPLINK_ORIGIN}/public/left-pad/-/left-pad-1.0.0.tgz`);
  assert.is(bytes.status, 200);
  assert.ok(bytes.body.equals(npm.tarball('left-pad', '1.0.0').bytes));
});

test('anything else is refused, and nothing else is asked upstream', async () => {
  const before = npm.requests.length;
  for (const path of [
    `http://127.0.0.1:${new URL(other.registryUrl).port}/left-pad`,
    'http://169.254.169.254/latest/meta-data/',
    '/public/left-pad',
    `${UPLINK_ORIGIN}/elsewhere/left-pad`,
    `${UPLINK_ORIGIN}/internal/left-pad`,
    `${UPLINK_ORIGIN}/refused/left-pad/-/left-pad-1.0.0.tgz`,
    `${UPLINK_ORIGIN}/public/..%2f..%2fetc%2fpasswd`,
    `${UPLINK_ORIGIN}/public/-/all`,
    `${UPLINK_ORIGIN}/public/@mycorp%2fsecret`,
    `${UPLINK_ORIGIN}/public/@mycorp/secret/-/secret-9.0.0.tgz`,
  ]) {
    const answer = await ask(path);
    assert.ok(answer.status >= 400 && answer.status < 500, `${path}: ${answer.status} ${answer.text}`);
  }
  assert.is(npm.requests.length, before, 'the registry was asked nothing');
  assert.is(other.requests.length, 0, 'nor was any other host');
});

test('search passes on only the parameters npm search has', async () => {
  const answer = await ask(`${UPLINK_ORIGIN}/public/-/v1/search?text=left&size=5&url=http://evil.example/&local=0`);
  assert.is(answer.status, 200, answer.text);
  const asked = npm.requests.filter((request) => request.path === '/-/v1/search').pop()!;
  assert.equal([...new URLSearchParams(asked.query).keys()].sort(), ['size', 'text']);
});

test('a tarball is judged under its packument key, not under the version its manifest claims', async () => {
  // The upstream's 2.0.0 says it is 1.0.0; the filter hid 2.0.0 (its verdicts are filed by key).
  npm.addPackage('right-pad', { versions: { '2.0.0': { published: daysAgo(400), manifest: { version: '1.0.0' } } }, downloads: 5_000_000 });
  const hiddenBy = [{ check: 'malicious' as const, severity: 'deny' as const, message: 'right-pad@2.0.0 is known malware', evidence: {} }];
  book.set({
    name: 'right-pad',
    judgedAt: new Date(),
    versions: new Map([
      ['2.0.0', { version: '2.0.0', file: 'right-pad-2.0.0.tgz', tarball: null, integrity: null, shasum: null, hiddenBy, warnings: [] }],
    ]),
    failure: null,
    latestRemoved: false,
  });
  const answer = await ask(`${UPLINK_ORIGIN}/public/right-pad/-/right-pad-2.0.0.tgz`);
  assert.is(answer.status, 403, answer.text);
  assert.match(answer.text, 'right-pad@2.0.0 is hidden');
});

test.run();
