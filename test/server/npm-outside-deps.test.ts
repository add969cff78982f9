// Issue #10, class 4: an allowed package whose version declares a dependency outside the registry
// (git, a hosted-git shortcut, an http tarball, a path, a spec npm cannot read) would make npm
// clone or download that code directly. The firewall hides such versions (the reason in the audit
// log and in the 403 npm prints), in dependencies, optionalDependencies and peerDependencies,
// unless an allow entry names the package. The real npm, asked for such a version through the
// firewall, installs nothing and runs nothing.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { rawRequest, startNpmFirewall } from '../helpers/npm-firewall.js';
import { runNpm } from '../helpers/npm-client.js';

const POPULAR = 5_000_000;
const OUTSIDE: Record<string, { field: string; spec: string }> = {
  '1.1.0': { field: 'dependencies', spec: 'git+https://example.invalid/payload.git' },
  '1.2.0': { field: 'dependencies', spec: 'github:someone/payload' },
  '1.3.0': { field: 'optionalDependencies', spec: 'http://127.0.0.1:9/payload.tgz' },
  '1.4.0': { field: 'peerDependencies', spec: 'file:../payload' },
  '1.5.0': { field: 'dependencies', spec: 'link:../payload' },
  '1.6.0': { field: 'dependencies', spec: 'someone/payload#main' },
};

let npm: NpmUpstream;
let firewall: TestFirewall;
let allowing: TestFirewall;

test.before(async () => {
  npm = await NpmUpstream.start();
  const versions: Record<string, { published: Date; dependencies?: Record<string, string>; manifest?: Record<string, unknown> }> = {
    '1.0.0': { published: daysAgo(400), dependencies: { 'left-pad': '^1.0.0', aliased: 'npm:left-pad@1.1.0' } },
  };
  for (const [version, { field, spec }] of Object.entries(OUTSIDE))
    versions[version] = { published: daysAgo(300), manifest: { [field]: { payload: spec } } };
  npm.addPackage('wrapper', { versions, distTags: { latest: '1.6.0' }, downloads: POPULAR });
  npm.addPackage('left-pad', { versions: { '1.1.0': { published: daysAgo(400) } }, downloads: POPULAR });
  firewall = await startNpmFirewall({ npm });
  allowing = await startNpmFirewall({
    npm,
    configure: (config) => config.allow.push({ ecosystem: 'npm', name: 'wrapper', reason: 'we vendor its git dependency' }),
  });
});

test.after(async () => {
  await firewall?.close();
  await allowing?.close();
  await npm?.close();
});

test('versions with a git, URL, path or unreadable dependency are hidden, with the reason in the audit log', async () => {
  const doc = await rawRequest(firewall.url, '/wrapper');
  assert.is(doc.status, 200, doc.text);
  assert.equal(Object.keys(doc.json!.versions as object), ['1.0.0'], 'registry ranges and npm: aliases are fine; nothing else is');
  assert.equal(doc.json!['dist-tags'], { latest: '1.0.0' });
  const hidden = firewall
    .audit()
    .filter((record) => record.name === 'wrapper' && record.findings.some((finding) => finding.check === 'dependency-source'));
  const versions = new Set(hidden.map((record) => record.version));
  for (const version of Object.keys(OUTSIDE)) assert.ok(versions.has(version), `${version} is logged as hidden`);
  const git = hidden.find((record) => record.version === '1.1.0')!.findings.find((finding) => finding.check === 'dependency-source')!;
  assert.match(git.message, 'payload from a git repository (git+https://example.invalid/payload.git)');
  const tarball = await rawRequest(firewall.url, '/wrapper/-/wrapper-1.2.0.tgz');
  assert.is(tarball.status, 403);
  assert.match(tarball.text, 'github:someone/payload');
});

test('an allow entry for the package shows those versions again', async () => {
  const doc = await rawRequest(allowing.url, '/wrapper');
  assert.is(doc.status, 200, doc.text);
  assert.equal(Object.keys(doc.json!.versions as object).sort(), ['1.0.0', ...Object.keys(OUTSIDE)].sort());
});

test('npm asked for such a version through the firewall installs and runs nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-outside-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0' }));
  const run = await runNpm(['install', 'wrapper@1.2.0'], { cwd: dir, registry: firewall.url });
  assert.is.not(run.code, 0, run.output);
  assert.not.ok(existsSync(join(dir, 'node_modules', 'wrapper')));
  const latest = await runNpm(['install', 'wrapper'], { cwd: dir, registry: firewall.url });
  assert.is(latest.code, 0, latest.output);
  assert.ok(existsSync(join(dir, 'node_modules', 'wrapper', 'package.json')), 'the clean 1.0.0 installs');
});

test.run();
