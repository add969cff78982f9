// The running firewall takes up a new threat-data index on SIGHUP, without a restart: versions
// found malicious or critically vulnerable after npm and pip first saw them are hidden from the
// next answer (cached packuments and pages are judged again), so the real clients resolve ^1.0.0
// (>=1,<2) to the fixed release; the health endpoint says which index is in force and how old.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, PypiUpstream, daysAgo } from '../fixtures/index.js';
import { osvRecord, sharedExport, writeOsvExport } from '../fixtures/osv-export.js';
import { isolatedEnv, runCliInProcess, spawnServe, type ServeProcess } from '../helpers/cli.js';
import { makeProject, runNpm } from '../helpers/npm-client.js';
import { hasPip, pipInstall } from '../helpers/pip.js';

const test = suite('feeds/serve-reload');
const VERSIONS = ['1.0.0', '1.1.0', '1.1.1', '1.2.0'];
let npm: NpmUpstream;
let pypi: PypiUpstream;
let scratch: string;
let dataDir: string;
let serve: ServeProcess;
const env = isolatedEnv();

interface Health {
  threatData: { state: string; builtAt: string | null; loadedAt: string | null; packages: number; message: string };
}

async function health(): Promise<Health> {
  return (await (await fetch(`${serve.url}/-/depfence/health`)).json()) as Health;
}

async function npmResolves(): Promise<string | null> {
  const project = makeProject({ dependencies: { leftfix: '^1.0.0' } });
  try {
    const run = await runNpm(['install'], { cwd: project.dir, registry: serve.url });
    assert.is(run.code, 0, run.output);
    return (project.installed('leftfix')?.version as string | undefined) ?? null;
  } finally {
    project.remove();
  }
}

async function pipResolves(): Promise<string | null> {
  const run = await pipInstall(['leftfix>=1,<2'], { indexUrl: `${serve.url}/-/pypi/simple/` });
  try {
    assert.is(run.code, 0, run.output);
    return /Successfully installed leftfix-(\S+)/.exec(run.output)?.[1] ?? null;
  } finally {
    rmSync(run.target, { recursive: true, force: true });
  }
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-reload-'));
  dataDir = join(scratch, 'data');
  npm = await NpmUpstream.start();
  pypi = await PypiUpstream.start();
  npm.addPackage('leftfix', { versions: Object.fromEntries(VERSIONS.map((v) => [v, { published: daysAgo(400) }])), downloads: 50_000 });
  pypi.addProject('leftfix', { releases: Object.fromEntries(VERSIONS.map((v) => [v, { uploaded: daysAgo(400) }])), downloads: 50_000 });
  // The index in force at start knows nothing about leftfix.
  const before = await writeOsvExport(join(scratch, 'feed-before'), {
    npm: [
      osvRecord({ id: 'MAL-2026-1', affected: [{ name: 'someone-else', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] }),
    ],
    pypi: [
      osvRecord({
        id: 'MAL-2026-2',
        ecosystem: 'PyPI',
        affected: [{ name: 'someone-else', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
      }),
    ],
  });
  const first = await runCliInProcess(['update', '--from', before, '--data-dir', dataDir], { env });
  assert.is(first.code, 0, first.stderr);
  const configFile = join(scratch, 'depfence.yaml');
  writeFileSync(
    configFile,
    [
      'upstreams:',
      '  npm:',
      `    registry: ${npm.registryUrl}`,
      `    downloads: ${npm.downloadsUrl}`,
      '  pypi:',
      `    simple: ${pypi.simpleUrl}`,
      `    json: ${pypi.jsonUrl}`,
      `    downloads: ${pypi.downloadsUrl}`,
      `    files: [${pypi.filesUrl}]`,
      '',
    ].join('\n'),
  );
  serve = await spawnServe(['--port', '0', '--data-dir', dataDir, '--config', configFile], { env, timeoutMs: 60_000 });
});

test.after(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await npm.close();
  await pypi.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('npm and pip resolve to the newest release; after update + SIGHUP the same firewall hides the bad ones', async () => {
  const start = await health();
  assert.is(start.threatData.state, 'current');
  assert.is(await npmResolves(), '1.2.0');
  if (hasPip()) assert.is(await pipResolves(), '1.2.0');

  const update = await runCliInProcess(
    ['update', '--from', await writeOsvExport(join(scratch, 'feed-after'), sharedExport()), '--data-dir', dataDir],
    { env },
  );
  assert.is(update.code, 0, update.stderr);
  assert.is((await health()).threatData.builtAt, start.threatData.builtAt, 'nothing changes before the signal');

  process.kill(serve.pid, 'SIGHUP');
  const deadline = Date.now() + 10_000;
  let now = await health();
  while (now.threatData.builtAt === start.threatData.builtAt && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = await health();
  }
  assert.is.not(now.threatData.builtAt, start.threatData.builtAt, serve.output());
  assert.match(serve.output(), /threat data: loaded the index built .* \(SIGHUP\)/);
  assert.is(serve.child.exitCode, null, 'no restart');

  assert.is(await npmResolves(), '1.1.1');
  if (hasPip()) assert.is(await pipResolves(), '1.1.1');
  else console.log('  (pip is not installed here: the pip half of this test was skipped)');

  const vulnerable = await fetch(`${serve.url}/leftfix/1.1.0`);
  assert.is(vulnerable.status, 403);
  const { error } = (await vulnerable.json()) as { error: string };
  assert.match(error, /GHSA-left-fix0-crit \(critical, CVSS 9\.8\): Prototype pollution in leftfix; use 1\.1\.1 or later/);
  assert.match(error, /allow: \[\{ advisory: GHSA-left-fix0-crit/);
  const malicious = await fetch(`${serve.url}/leftfix/-/leftfix-1.2.0.tgz`);
  assert.is(malicious.status, 403);
  const page = (await (
    await fetch(`${serve.url}/-/pypi/simple/leftfix/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
  ).json()) as { files: { filename: string }[] };
  assert.equal(page.files.map((file) => file.filename).sort(), ['leftfix-1.0.0-py3-none-any.whl', 'leftfix-1.1.1-py3-none-any.whl']);
});

test('pre-flight names the advisory, its severity and the fix', async () => {
  const answer = await fetch(`${serve.url}/-/depfence/decide`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ packages: [{ ecosystem: 'pypi', name: 'leftfix', version: '1.1.0' }] }),
  });
  const { results } = (await answer.json()) as { results: { decision: string; findings: { check: string; message: string }[] }[] };
  assert.is(results[0]!.decision, 'deny');
  assert.ok(
    results[0]!.findings.some(
      (f) =>
        f.check === 'vulnerability' &&
        f.message.includes('GHSA-pyle-ftfx-crit (critical, CVSS 9.8): Code execution in leftfix; use 1.1.1 or later'),
    ),
  );
});

test.run();
