// The npm side in report mode, and with names reserved for internal packages but no internal
// registry configured (they are then served only from depfence's own storage).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { ABBREVIATED, rawRequest, startNpmFirewall } from '../helpers/npm-firewall.js';

const HOUR = 3_600_000;

let npm: NpmUpstream;
let firewall: TestFirewall;

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('loadsh', { versions: { '4.17.21': { published: daysAgo(700) } }, downloads: 40 });
  npm.addPackage('left-pad', {
    versions: { '1.0.0': { published: daysAgo(400) }, '1.1.0': { published: new Date(Date.now() - HOUR) } },
    downloads: 5_000_000,
  });
  npm.addPackage('@acme/internal-ui', { versions: { '6.6.6': { published: daysAgo(100) } }, downloads: 5_000_000 });
  firewall = await startNpmFirewall({
    npm,
    configure: (config) => {
      config.mode = 'report';
      config.policy.confusion.npm.scopes = ['acme'];
    },
  });
});

test.after(async () => {
  await firewall?.close();
  await npm?.close();
});

test('report mode: a typosquat is served, and the deny is logged as reported', async () => {
  const doc = await rawRequest(firewall.url, '/loadsh', { headers: { accept: ABBREVIATED } });
  assert.is(doc.status, 200, doc.text);
  const tarball = await rawRequest(firewall.url, '/loadsh/-/loadsh-4.17.21.tgz');
  assert.is(tarball.status, 200);
  const logged = firewall.audit().filter((record) => record.name === 'loadsh' && record.decision === 'deny');
  assert.ok(logged.length >= 2, JSON.stringify(logged));
  assert.ok(logged.every((record) => record.mode === 'report'));
});

test('report mode: a young version stays visible and installable, and is logged', async () => {
  const doc = await rawRequest(firewall.url, '/left-pad', { headers: { accept: ABBREVIATED } });
  assert.equal(Object.keys(doc.json!.versions as object).sort(), ['1.0.0', '1.1.0']);
  assert.equal(doc.json!['dist-tags'], { latest: '1.1.0' });
  const tarball = await rawRequest(firewall.url, '/left-pad/-/left-pad-1.1.0.tgz');
  assert.is(tarball.status, 200);
  const logged = firewall.audit().filter((record) => record.name === 'left-pad' && record.version === '1.1.0');
  assert.ok(
    logged.some((record) => record.decision === 'deny' && record.mode === 'report' && record.findings.some((f) => f.check === 'age')),
  );
});

test('a reserved name without an internal registry is never looked up publicly', async () => {
  // Verdaccio's rules for reserved names name no public uplink: depfence's own storage only.
  const doc = await rawRequest(firewall.url, '/@acme%2finternal-ui', { headers: { accept: ABBREVIATED } });
  assert.is(doc.status, 404, doc.text);
  assert.match(String(doc.json!.error), /reserved for internal packages and nobody has published it to depfence/);
  const tarball = await rawRequest(firewall.url, '/@acme/internal-ui/-/internal-ui-6.6.6.tgz');
  assert.ok(tarball.status >= 400);
  assert.equal(
    npm.requests.filter((request) => /acme/i.test(decodeURIComponent(request.path))),
    [],
  );
});

test('enforce mode: an unpublished reserved name is not found, and the public registry is never asked', async () => {
  const strict = await startNpmFirewall({ npm, configure: (config) => void (config.policy.confusion.npm.scopes = ['acme']) });
  try {
    const before = npm.requests.length;
    for (const path of ['/@acme%2finternal-ui', '/@acme/internal-ui/-/internal-ui-6.6.6.tgz']) {
      const answer = await rawRequest(strict.url, path, { headers: { accept: ABBREVIATED } });
      assert.is(answer.status, 404, answer.text);
    }
    assert.is(npm.requests.length, before);
  } finally {
    await strict.close();
  }
});

test.run();
