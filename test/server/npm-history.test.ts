// The npm firewall against a package's own history: a young version that adds an install script
// is hidden (the reason and the script in the audit log, the 403 npm prints), while a version by a
// new publisher stays visible and is logged as a warning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { rawRequest, startNpmFirewall } from '../helpers/npm-firewall.js';

const POPULAR = 5_000_000;
let npm: NpmUpstream;
let firewall: TestFirewall;

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('quiet-lib', {
    versions: {
      '1.0.0': { published: daysAgo(400), manifest: { _npmUser: { name: 'alice' } } },
      '1.1.0': { published: daysAgo(200), manifest: { _npmUser: { name: 'alice' } } },
      '1.1.1': { published: daysAgo(6), manifest: { _npmUser: { name: 'alice' }, scripts: { postinstall: 'node collect.js' } } },
    },
    distTags: { latest: '1.1.1' },
    downloads: POPULAR,
  });
  npm.addPackage('handed-over', {
    versions: {
      '2.0.0': { published: daysAgo(400), manifest: { _npmUser: { name: 'alice' } } },
      '2.0.1': { published: daysAgo(6), manifest: { _npmUser: { name: 'mallory' } } },
    },
    distTags: { latest: '2.0.1' },
    downloads: POPULAR,
  });
  firewall = await startNpmFirewall({ npm });
});

test.after(async () => {
  await firewall?.close();
  await npm?.close();
});

test('a young version that adds an install script is hidden, with the script in the audit log and the 403', async () => {
  const doc = await rawRequest(firewall.url, '/quiet-lib');
  assert.is(doc.status, 200, doc.text);
  assert.equal(Object.keys(doc.json!.versions as object), ['1.0.0', '1.1.0']);
  assert.equal(doc.json!['dist-tags'], { latest: '1.1.0' });
  const record = firewall.audit().find((line) => line.name === 'quiet-lib' && line.version === '1.1.1');
  const finding = record?.findings.find((f) => f.check === 'history');
  assert.ok(finding, 'the hidden version is logged with its history finding');
  assert.is(finding.evidence.script, 'postinstall: node collect.js');
  const manifest = await rawRequest(firewall.url, '/quiet-lib/1.1.1');
  assert.is(manifest.status, 403);
  assert.match(manifest.text, 'adds an install script that none of its 2 earlier versions had');
});

test('a version by a new publisher stays visible and is logged as a warning', async () => {
  const doc = await rawRequest(firewall.url, '/handed-over');
  assert.equal(Object.keys(doc.json!.versions as object), ['2.0.0', '2.0.1']);
  const record = firewall.audit().find((line) => line.name === 'handed-over' && line.version === '2.0.1');
  assert.is(record?.decision, 'warn');
  assert.equal(
    record!.findings.map((f) => f.evidence.previousPublishers),
    [['alice']],
  );
});

test.run();
