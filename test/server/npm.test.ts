// The npm registry side of `depfence serve` over HTTP, against a fixture npm registry: package-level
// refusals, version filtering of both packument forms, the tarball guard, confusion routing,
// writes, bad input and upstream failures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { ABBREVIATED, rawRequest, startNpmFirewall, storedTarballs, type RawAnswer } from '../helpers/npm-firewall.js';

const HOUR = 3_600_000;
const POPULAR = 5_000_000;

let npm: NpmUpstream;
let internal: NpmUpstream;
let firewall: TestFirewall;

/** Is the tarball in the firewall's store (where it goes only once verified)? */
async function stored(name: string, file: string): Promise<boolean> {
  return (await storedTarballs(firewall.dataDir)).includes(`/${name}/-/${file}`);
}

async function get(path: string, headers: Record<string, string> = {}) {
  return rawRequest(firewall.url, path, { headers });
}

test.before(async () => {
  npm = await NpmUpstream.start();
  internal = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: {
      '1.0.0': { published: daysAgo(400) },
      '1.1.0': { published: daysAgo(300) },
      '1.2.0': { published: new Date(Date.now() - HOUR) },
    },
    distTags: { latest: '1.2.0', legacy: '1.0.0', fresh: '1.2.0' },
    downloads: POPULAR,
  });
  // latest (1.0.0) is young; 2.0.0 is old but was never tagged latest: the new latest stays ≤ 1.0.0.
  npm.addPackage('tag-ceiling', {
    versions: {
      '0.9.0': { published: daysAgo(400) },
      '1.0.0': { published: new Date(Date.now() - HOUR) },
      '2.0.0': { published: daysAgo(100) },
    },
    distTags: { latest: '1.0.0', next: '2.0.0' },
    downloads: POPULAR,
  });
  // Nothing stable at or below the young latest: no latest at all (not the prerelease).
  npm.addPackage('only-beta-left', {
    versions: { '1.0.0': { published: new Date(Date.now() - HOUR) }, '2.0.0-beta.1': { published: daysAgo(100) } },
    distTags: { latest: '1.0.0', beta: '2.0.0-beta.1' },
    downloads: POPULAR,
  });
  npm.addPackage('cold-fresh', {
    versions: { '1.0.0': { published: daysAgo(400) }, '2.0.0': { published: new Date(Date.now() - HOUR) } },
    downloads: POPULAR,
  });
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('debug', {
    versions: { '4.4.1': { published: daysAgo(300) }, '4.4.2': { published: daysAgo(200) } },
    downloads: 300_000_000,
  });
  npm.addPackage('tamper-me', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('cut-short', {
    versions: { '1.0.0': { published: daysAgo(400), files: { 'big.txt': 'x'.repeat(20_000) } } },
    downloads: POPULAR,
  });
  npm.addPackage('impostor', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('garbled', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('sleepy', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('filter-breaker', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: POPULAR });
  npm.addPackage('@scoped/thing', {
    versions: { '1.0.0': { published: daysAgo(400) }, '1.1.0': { published: new Date(Date.now() - HOUR) } },
    downloads: POPULAR,
  });
  npm.addPackage('@mycorp/secret-lib', { versions: { '9.9.9': { published: daysAgo(100) } }, downloads: POPULAR });
  internal.addPackage('@mycorp/secret-lib', { versions: { '1.0.0': { published: daysAgo(100) } } });
  internal.addPackage('mycorp-tool', { versions: { '1.0.0': { published: daysAgo(100) } } });
  firewall = await startNpmFirewall({
    npm,
    internal,
    configure: (config) => {
      config.policy.confusion.npm = { scopes: ['mycorp'], names: ['corp-secret'], prefixes: ['mycorp-'] };
      config.network.timeout = 1_000;
      config.network.retries = 0;
      config.network.maxResponseBytes = 1024 * 1024;
    },
  });
});

test.after(async () => {
  await firewall?.close();
  await npm?.close();
  await internal?.close();
});

test('both packument forms hide the young version, fix dist-tags and time, with distinct ETags', async () => {
  const full = await get('/left-pad', { accept: 'application/json' });
  const abbreviated = await get('/left-pad', { accept: ABBREVIATED });
  assert.is(full.status, 200, full.text);
  assert.is(abbreviated.status, 200, abbreviated.text);
  for (const doc of [full.json!, abbreviated.json!]) {
    assert.equal(Object.keys(doc.versions as object).sort(), ['1.0.0', '1.1.0']);
    assert.equal(doc['dist-tags'], { latest: '1.1.0', legacy: '1.0.0' });
  }
  assert.equal(Object.keys(full.json!.time as object).sort(), ['1.0.0', '1.1.0', 'created', 'modified']);
  assert.not.ok(Object.keys((abbreviated.json!.time as object | undefined) ?? {}).includes('1.2.0'));
  assert.is(abbreviated.headers['content-type'], 'application/vnd.npm.install-v1+json; charset=utf-8');
  assert.ok(full.headers.etag && abbreviated.headers.etag);
  assert.is.not(full.headers.etag, abbreviated.headers.etag);
  assert.match(String(full.headers.vary), /Accept/);
  const tarballUrl = (full.json!.versions as Record<string, { dist: { tarball: string } }>)['1.1.0']!.dist.tarball;
  assert.is(tarballUrl, `${firewall.url}/left-pad/-/left-pad-1.1.0.tgz`);

  const again = await get('/left-pad', { accept: ABBREVIATED, 'if-none-match': String(abbreviated.headers.etag) });
  assert.is(again.status, 304);
  const crossed = await get('/left-pad', { accept: 'application/json', 'if-none-match': String(abbreviated.headers.etag) });
  assert.is(crossed.status, 200, 'the abbreviated ETag does not validate the full document');
});

test('the new latest is the highest remaining stable version, never above the old one', async () => {
  const ceiling = await get('/tag-ceiling', { accept: ABBREVIATED });
  assert.equal(ceiling.json!['dist-tags'], { latest: '0.9.0', next: '2.0.0' });
  const beta = await get('/only-beta-left', { accept: 'application/json' });
  assert.equal(Object.keys(beta.json!.versions as object), ['2.0.0-beta.1']);
  assert.equal(beta.json!['dist-tags'], { beta: '2.0.0-beta.1' });
});

test('a version manifest of a hidden version is refused with the reason', async () => {
  const hidden = await get('/left-pad/1.2.0');
  assert.is(hidden.status, 403);
  assert.match(String(hidden.json!.error), /^depfence: left-pad@1\.2\.0 is hidden: age:/);
  const visible = await get('/left-pad/1.1.0');
  assert.is(visible.status, 200);
  assert.is(visible.json!.version, '1.1.0');
});

test('the tarball of a hidden version is refused, cold and warm', async () => {
  const cold = await get('/cold-fresh/-/cold-fresh-2.0.0.tgz');
  assert.is(cold.status, 403, cold.text);
  assert.match(String(cold.json!.error), /cold-fresh@2\.0\.0 is hidden: age: cold-fresh@2\.0\.0 was published/);
  const warm = await get('/left-pad/-/left-pad-1.2.0.tgz');
  assert.is(warm.status, 403);
  assert.not.ok(await stored('cold-fresh', 'cold-fresh-2.0.0.tgz'));
  assert.is(npm.requestsTo(npm.route.tarball('cold-fresh', '2.0.0')).length, 0, 'the upstream was not even asked');
});

test('an allowed tarball is served, verified and stored', async () => {
  const answer = await get('/left-pad/-/left-pad-1.1.0.tgz');
  assert.is(answer.status, 200, answer.text);
  assert.ok(answer.body.equals(npm.tarball('left-pad', '1.1.0').bytes));
  assert.ok(await stored('left-pad', 'left-pad-1.1.0.tgz'));
  const scoped = await get('/@scoped/thing/-/thing-1.0.0.tgz');
  assert.is(scoped.status, 200, scoped.text);
  assert.ok(await stored('@scoped/thing', 'thing-1.0.0.tgz'));
  const scopedHidden = await get('/@scoped%2fthing/-/thing-1.1.0.tgz');
  assert.is(scopedHidden.status, 403);
});

test('a file or version the packument does not list is 404, and the upstream is not asked for it', async () => {
  for (const path of ['/left-pad/-/left-pad-9.9.9.tgz', '/left-pad/-/right-pad-1.1.0.tgz', '/left-pad/__proto__', '/left-pad/9.9.9']) {
    const answer = await get(path);
    assert.is(answer.status, 404, `${path}: ${answer.text}`);
  }
  assert.equal(
    npm.requests.filter((request) => /9\.9\.9|right-pad|__proto__/.test(request.path)),
    [],
  );
  const head = await rawRequest(firewall.url, '/left-pad/-/left-pad-1.0.0.tgz', { method: 'HEAD' });
  assert.is(head.status, 200);
  assert.is(Number(head.headers['content-length']), npm.tarball('left-pad', '1.0.0').bytes.length);
  assert.is(head.body.length, 0);
});

test('an upstream that answers with the packument of another package is refused', async () => {
  const fault = npm.malformed({ match: npm.route.packument('impostor'), body: JSON.stringify(npm.packument('left-pad')) });
  try {
    for (const path of ['/impostor', '/impostor/-/left-pad-1.0.0.tgz']) {
      const answer = await get(path, { accept: ABBREVIATED });
      assert.ok(answer.status === 403 || answer.status === 502, `${path}: ${answer.status} ${answer.text}`);
      assert.match(String(answer.json!.error), /impostor/);
    }
  } finally {
    fault.remove();
  }
});

test("a client's Host names the tarball URLs of its own answer only: it never reaches another client's", async () => {
  const tarballOf = (doc: RawAnswer) => (doc.json!.versions as Record<string, { dist: { tarball: string } }>)['1.1.0']!.dist.tarball;
  const spoofed = await get('/left-pad', { accept: 'application/json', host: 'evil.example' });
  assert.is(tarballOf(spoofed), 'http://evil.example/left-pad/-/left-pad-1.1.0.tgz');
  const honest = await get('/left-pad', { accept: 'application/json' });
  assert.is(tarballOf(honest), `${firewall.url}/left-pad/-/left-pad-1.1.0.tgz`, 'the reused document is per origin');
});

test('a typosquat is refused for both packument forms and its tarballs, and logged', async () => {
  for (const accept of ['application/json', ABBREVIATED]) {
    const answer = await get('/loadsh', { accept });
    assert.is(answer.status, 403);
    assert.match(String(answer.json!.error), /^depfence: loadsh is blocked: typosquat: loadsh looks like a typosquat of lodash/);
    assert.is((answer.json!.decision as { decision: string }).decision, 'deny');
  }
  const tarball = await get('/loadsh/-/loadsh-4.17.21.tgz');
  assert.is(tarball.status, 403);
  assert.is(npm.requestsTo(npm.route.tarball('loadsh')).length, 0);
  const logged = firewall.audit().filter((record) => record.name === 'loadsh');
  assert.ok(
    logged.some(
      (record) => record.subject === 'packument' && record.decision === 'deny' && record.findings.some((f) => f.check === 'typosquat'),
    ),
  );
  assert.ok(logged.some((record) => record.subject === 'tarball' && record.decision === 'deny'));
});

test('a known-malicious version is hidden even though it is old', async () => {
  const doc = await get('/debug', { accept: ABBREVIATED });
  assert.equal(Object.keys(doc.json!.versions as object), ['4.4.1']);
  assert.equal(doc.json!['dist-tags'], { latest: '4.4.1' });
  const tarball = await get('/debug/-/debug-4.4.2.tgz');
  assert.is(tarball.status, 403);
  assert.match(String(tarball.json!.error), /debug 4\.4\.2 is a known-malicious version/);
  assert.match(String(tarball.json!.error), /known-malicious versions cannot be allowed/);
  const logged = firewall.audit().find((record) => record.name === 'debug' && record.version === '4.4.2');
  assert.ok(logged?.findings.some((finding) => finding.check === 'malicious'));
});

test('a tarball that does not match its integrity is neither served nor stored', async () => {
  const fault = npm.corrupt({ match: npm.route.tarball('tamper-me') });
  const bad = await get('/tamper-me/-/tamper-me-1.0.0.tgz');
  fault.remove();
  assert.is(bad.status, 502);
  assert.match(String(bad.json!.error), /does not match its packument: its sha512 digest is/);
  assert.not.ok(await stored('tamper-me', 'tamper-me-1.0.0.tgz'));
  assert.ok(firewall.audit().some((record) => record.name === 'tamper-me' && record.subject === 'tarball' && record.decision === 'deny'));
  const good = await get('/tamper-me/-/tamper-me-1.0.0.tgz');
  assert.is(good.status, 200);
  assert.ok(await stored('tamper-me', 'tamper-me-1.0.0.tgz'));
});

test('a tarball cut short gives 502, nothing half-written, and the next try works', async () => {
  await get('/cut-short', { accept: ABBREVIATED });
  const fault = npm.truncate({ match: npm.route.tarball('cut-short'), times: 1 });
  const cut = await get('/cut-short/-/cut-short-1.0.0.tgz');
  assert.is(fault.hits, 1);
  assert.is(cut.status, 502, cut.text);
  assert.match(String(cut.json!.error), /failed to deliver cut-short-1\.0\.0\.tgz|does not match/);
  assert.not.ok(await stored('cut-short', 'cut-short-1.0.0.tgz'));
  const whole = await get('/cut-short/-/cut-short-1.0.0.tgz');
  assert.is(whole.status, 200);
  assert.ok(whole.body.equals(npm.tarball('cut-short', '1.0.0').bytes));
});

test('a packument that is not JSON, or an upstream that times out, gives 403 with the reason (never a status npm retries); the server keeps serving', async () => {
  const garbled = npm.malformed({ match: npm.route.packument('garbled') });
  const answer = await get('/garbled', { accept: ABBREVIATED });
  garbled.remove();
  assert.is(answer.status, 403, answer.text);
  assert.match(String(answer.json!.error), /garbled cannot be checked right now.*cannot read/);
  const repaired = await get('/garbled', { accept: ABBREVIATED });
  assert.is(repaired.status, 200, 'the garbled answer was not kept: the next request fetches again');

  const slow = npm.delay(2_500, { match: npm.route.packument('sleepy') });
  const timedOut = await get('/sleepy', { accept: ABBREVIATED });
  slow.remove();
  assert.is(timedOut.status, 403, timedOut.text);
  assert.match(String(timedOut.json!.error), /did not answer within 1s/);

  const fine = await get('/left-pad', { accept: ABBREVIATED });
  assert.is(fine.status, 200);
});

test('a filter that fails hides every version and says so', async () => {
  const { blocklists } = firewall.running.context.decider.context;
  const lookup = blocklists.lookup.bind(blocklists);
  blocklists.lookup = (ecosystem, name, version) => {
    if (name === 'filter-breaker' && version !== null) throw new Error('blocklist exploded');
    return lookup(ecosystem, name, version);
  };
  try {
    const doc = await get('/filter-breaker', { accept: 'application/json' });
    assert.is(doc.status, 403, doc.text);
    assert.match(String(doc.json!.error), /version filter failed \(blocklist exploded\), so every version is hidden/);
    const tarball = await get('/filter-breaker/-/filter-breaker-1.0.0.tgz');
    assert.is(tarball.status, 403);
    assert.match(String(tarball.json!.error), /version filter failed \(blocklist exploded\)/);
  } finally {
    blocklists.lookup = lookup;
  }
});

test('internal names come only from the internal registry, never from the public one', async () => {
  const doc = await get('/@mycorp%2fsecret-lib', { accept: ABBREVIATED });
  assert.is(doc.status, 200, doc.text);
  assert.equal(Object.keys(doc.json!.versions as object), ['1.0.0']);
  const tarball = await get('/@mycorp/secret-lib/-/secret-lib-1.0.0.tgz');
  assert.is(tarball.status, 200, tarball.text);
  assert.ok(tarball.body.equals(internal.tarball('@mycorp/secret-lib', '1.0.0').bytes));
  const prefixed = await get('/mycorp-tool', { accept: ABBREVIATED });
  assert.is(prefixed.status, 200);
  const missing = await get('/corp-secret', { accept: ABBREVIATED });
  assert.is(missing.status, 404, 'a reserved name the internal registry lacks is not looked up publicly');
  const mixedCase = await get('/MyCorp-Tool');
  assert.is(mixedCase.status, 403);
  assert.equal(
    npm.requests.filter((request) => /mycorp|corp-secret/i.test(decodeURIComponent(request.path))),
    [],
  );
});

test("an internal registry, reached through the registry process's uplink, cannot send depfence elsewhere or break it (redirect, garbled, huge, deep, slow)", async () => {
  const hostile = {
    'mycorp-garbled': /cannot read|not JSON/,
    'mycorp-huge': /larger than|1048576 bytes/,
    'mycorp-deep': /nested more than/,
    'mycorp-slow': /did not answer within 1s/,
  };
  for (const name of ['mycorp-hop', ...Object.keys(hostile)])
    internal.addPackage(name, { versions: { '1.0.0': { published: daysAgo(100) } } });
  const faults = [
    internal.inject(
      { kind: 'status', status: 302, body: '', headers: { location: `${npm.url}mycorp-hop/-/mycorp-hop-1.0.0.tgz` } },
      { match: internal.route.tarball('mycorp-hop') },
    ),
    internal.malformed({ match: internal.route.packument('mycorp-garbled') }),
    internal.malformed({
      match: internal.route.packument('mycorp-huge'),
      body: `{"name":"mycorp-huge","x":"${'a'.repeat(2 * 1024 * 1024)}"}`,
    }),
    internal.malformed({ match: internal.route.packument('mycorp-deep'), body: `${'['.repeat(10_000)}${']'.repeat(10_000)}` }),
    internal.delay(2_500, { match: internal.route.packument('mycorp-slow') }),
  ];
  try {
    assert.is((await get('/mycorp-hop', { accept: ABBREVIATED })).status, 200);
    const redirected = await get('/mycorp-hop/-/mycorp-hop-1.0.0.tgz');
    assert.is(redirected.status, 502, redirected.text);
    assert.match(String(redirected.json!.error), /redirected .* a host depfence does not fetch files from/);
    for (const [name, reason] of Object.entries(hostile)) {
      const answer = await get(`/${name}`, { accept: ABBREVIATED });
      assert.is(answer.status, 403, `${name}: ${answer.text}`);
      assert.match(String(answer.json!.error), `the internal registry failed while depfence fetched ${name}`);
      assert.match(String(answer.json!.error), reason, `${name}: ${answer.text}`);
    }
  } finally {
    for (const fault of faults) fault.remove();
  }
  assert.equal(
    npm.requests.filter((request) => request.path.includes('mycorp')),
    [],
    'the other host received no request',
  );
  assert.is((await get('/mycorp-tool', { accept: ABBREVIATED })).status, 200, 'the registry process still serves');
});

test('bad input is refused with 400 before anything is asked', async () => {
  const before = npm.requests.length;
  for (const path of [
    '/a/../b',
    '/..%2f..%2fetc%2fpasswd',
    '/foo%2fbar',
    '/left-pad/-/..%2fleft-pad-1.0.0.tgz',
    '/Bad%20Name',
    '/.hidden',
    `/${'a'.repeat(1100)}`,
    '/@scope%2f',
    '/left-pad//x',
    '/left-pad/-/left-pad-1.0.0.zip',
    '/%zz',
  ]) {
    const answer = await get(path);
    assert.is(answer.status, 400, `${path}: ${answer.text}`);
    assert.match(String(answer.json?.error), /^depfence: /);
  }
  assert.is(npm.requests.length, before);
});

test('publishing public names is refused; users cannot register; internal names need a login', async () => {
  const publish = await rawRequest(firewall.url, '/left-pad', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.is(publish.status, 403);
  assert.match(
    String(publish.json!.error),
    /publishing and other changes to left-pad are refused: depfence serves the public registry read-only/,
  );
  const adduser = await rawRequest(firewall.url, '/-/user/org.couchdb.user:mallory', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"mallory","password":"secret-pass"}',
  });
  assert.ok(adduser.status >= 400 && adduser.status < 500, `${adduser.status} ${adduser.text}`);
  const login = await rawRequest(firewall.url, '/-/v1/login', { method: 'POST', body: '{}' });
  assert.is(login.status, 404);
  const internalPublish = await rawRequest(firewall.url, '/@mycorp%2fnew-lib', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
    body: '{"name":"@mycorp/new-lib"}',
  });
  assert.ok(internalPublish.status === 401 || internalPublish.status === 403, `${internalPublish.status} ${internalPublish.text}`);
  assert.equal(
    internal.requests.filter((request) => request.method !== 'GET'),
    [],
  );
  assert.is(npm.requests.filter((request) => request.method !== 'GET').length, 0);
});

test('registry endpoints pass through; a search naming an internal name stays local', async () => {
  const ping = await get('/-/ping');
  assert.is(ping.status, 200);
  const publicSearch = await get('/-/v1/search?text=left&size=5');
  assert.is(publicSearch.status, 200);
  assert.ok(npm.requests.some((request) => request.path === '/-/v1/search' && request.query.includes('text=left')));
  const internalSearch = await get('/-/v1/search?text=MyCorp-tool&size=5');
  assert.is(internalSearch.status, 200);
  assert.equal(
    npm.requests.filter((request) => /mycorp/i.test(request.query)),
    [],
  );
  assert.equal(
    internal.requests.filter((request) => /mycorp/i.test(request.query)),
    [],
    'answered from storage only',
  );
});

test.run();
