// `depfence confusion-scan`: which names reserved for internal packages are already published on
// the public registries. Fixtures stand in for the public npm registry, the internal npm registry
// and PyPI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { runCliInProcess } from '../helpers/cli.js';

let publicNpm: NpmUpstream;
let internalNpm: NpmUpstream;
let pypi: PypiUpstream;
let dir: string;

function writeConfig(internal: string | null): string {
  const file = join(dir, `depfence-${internal === null ? 'no-internal' : 'internal'}.yaml`);
  writeFileSync(
    file,
    [
      'upstreams:',
      `  npm: { registry: "${publicNpm.registryUrl}", downloads: "${publicNpm.downloadsUrl}", internal: ${internal === null ? 'null' : `"${internal}"`} }`,
      `  pypi: { simple: "${pypi.simpleUrl}", json: "${pypi.jsonUrl}", downloads: "${pypi.downloadsUrl}", internal: null }`,
      'policy:',
      '  confusion:',
      '    npm: { scopes: [mycorp], names: [corp-secret, corp-free], prefixes: [mycorp-] }',
      '    pypi: { names: [corp-py, corp-py-free], prefixes: [] }',
      'network: { timeout: 3s, retries: 0 }',
      '',
    ].join('\n'),
  );
  return file;
}

test.before(async () => {
  [publicNpm, internalNpm, pypi] = await Promise.all([NpmUpstream.start(), NpmUpstream.start(), PypiUpstream.start()]);
  dir = mkdtempSync(join(tmpdir(), 'depfence-confusion-scan-'));
  const old = { '1.0.0': { published: daysAgo(100) } };
  for (const name of ['@mycorp/claimed-lib', 'corp-secret', 'mycorp-tool', 'left-pad']) publicNpm.addPackage(name, { versions: old });
  for (const name of ['@mycorp/claimed-lib', '@mycorp/safe-lib', 'mycorp-tool', 'mycorp-other', 'unrelated', 'not-mycorp-x'])
    internalNpm.addPackage(name, { versions: old });
  pypi.addProject('corp-py', { releases: { '1.0.0': { uploaded: daysAgo(100) } } });
});

test.after(async () => {
  await Promise.all([publicNpm?.close(), internalNpm?.close(), pypi?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('names already published publicly are reported and the exit code is 1', async () => {
  const result = await runCliInProcess(['confusion-scan', '--json', '--config', writeConfig(internalNpm.registryUrl)]);
  assert.is(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as {
    results: { ecosystem: string; name: string; status: string; rule: string }[];
    notes: string[];
  };
  const status = Object.fromEntries(report.results.map((r) => [`${r.ecosystem}:${r.name}`, r.status]));
  assert.equal(status, {
    'npm:corp-secret': 'claimed',
    'npm:corp-free': 'free',
    'npm:@mycorp/claimed-lib': 'claimed',
    'npm:@mycorp/safe-lib': 'free',
    'npm:mycorp-other': 'free',
    'npm:mycorp-tool': 'claimed',
    'pypi:corp-py': 'claimed',
    'pypi:corp-py-free': 'free',
  });
  assert.equal(report.notes, []);
  assert.is(report.results.find((r) => r.name === 'mycorp-tool')!.rule, 'prefix mycorp-');
  // Only the scan itself asks the public registry, and only about these names.
  assert.ok(publicNpm.requests.every((request) => !request.path.includes('unrelated')));
});

test('without an internal registry only exact names are checked, and the text report says so', async () => {
  const result = await runCliInProcess(['confusion-scan', '--config', writeConfig(null)]);
  assert.is(result.code, 1);
  assert.match(result.stdout, /CLAIMED {2}npm:corp-secret {2}\(name corp-secret\) published on/);
  assert.match(result.stdout, /free {5}npm:corp-free/);
  assert.match(result.stdout, /note: npm scope @mycorp, prefix mycorp-: no internal registry/);
  assert.match(result.stdout, /dependency-confusion attack in progress/);
  assert.not.match(result.stdout, /claimed-lib/);
});

test('exit 0 when nothing is claimed, 3 when the public registry cannot be asked', async () => {
  publicNpm.removePackage('corp-secret').removePackage('mycorp-tool').removePackage('@mycorp/claimed-lib');
  pypi.removeProject('corp-py');
  const clean = await runCliInProcess(['confusion-scan', '--json', '--config', writeConfig(null)]);
  assert.is(clean.code, 0, clean.stdout);
  await publicNpm.close();
  const down = await runCliInProcess(['confusion-scan', '--json', '--config', writeConfig(null)]);
  assert.is(down.code, 3, down.stdout);
  assert.ok((JSON.parse(down.stdout) as { results: { status: string }[] }).results.some((r) => r.status === 'unknown'));
});

test.run();
