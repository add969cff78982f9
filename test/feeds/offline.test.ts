// Threat data for air-gapped teams: `depfence mirror` vets with the connected machine's index and
// records its date in the manifest; `--with-feeds` carries the index itself; after `depfence
// import`, `check --offline` and `serve --offline` on the air-gapped machine use it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readManifestOnly } from '../../src/mirror/bundle-read.js';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { sharedExport, writeOsvExport } from '../fixtures/osv-export.js';
import { isolatedEnv, runCliInProcess, spawnServe } from '../helpers/cli.js';
import { writeFixtureConfig } from '../mirror/helpers.js';
import { indexPath, loadIndex } from '../../src/sources/osv/index-file.js';

const test = suite('feeds/offline');
let npm: NpmUpstream;
let scratch: string;
let connected: string;
let airGapped: string;
let config: string;
let env: NodeJS.ProcessEnv;

function lockfile(version: string): string {
  return JSON.stringify({
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { leftfix: version } },
      'node_modules/leftfix': {
        version,
        resolved: npm.tarballUrl('leftfix', version),
        integrity: npm.tarball('leftfix', version).integrity,
      },
    },
  });
}

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('leftfix', {
    versions: Object.fromEntries(['1.0.0', '1.1.0', '1.1.1', '1.2.0'].map((v) => [v, { published: daysAgo(400) }])),
    downloads: 50_000,
  });
  scratch = mkdtempSync(join(tmpdir(), 'depfence-feeds-offline-'));
  connected = join(scratch, 'connected');
  airGapped = join(scratch, 'air-gapped');
  config = writeFixtureConfig(join(scratch, 'depfence.yaml'), { npm });
  env = isolatedEnv({ DEPFENCE_DATA_DIR: connected });
  const update = await runCliInProcess(['update', '--from', await writeOsvExport(join(scratch, 'feed'), sharedExport())], { env });
  assert.is(update.code, 0, update.stderr);
  for (const [dir, version] of [
    ['good', '1.1.1'],
    ['bad', '1.1.0'],
  ] as const) {
    mkdirSync(join(scratch, dir));
    writeFileSync(join(scratch, dir, 'package-lock.json'), lockfile(version));
  }
});

test.after(async () => {
  await npm.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('mirror vets with the index, records its date, and --with-feeds carries it; import and check --offline use it', async () => {
  const builtAt = loadIndex(indexPath(connected)).meta.builtAt;
  const denied = await runCliInProcess(
    ['mirror', '--out', join(scratch, 'bad.tgz'), '--from', 'bad/package-lock.json', '--config', config],
    { env, cwd: scratch },
  );
  assert.is(denied.code, 1, denied.stdout + denied.stderr);
  assert.match(denied.stderr, /leftfix.*GHSA-left-fix0-crit \(critical, CVSS 9\.8\)/);

  const plain = await runCliInProcess(
    ['mirror', '--out', join(scratch, 'plain.tgz'), '--from', 'good/package-lock.json', '--config', config],
    { env, cwd: scratch },
  );
  assert.is(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`threat data: vetted with the OSV index built ${builtAt}$`, 'm'));
  const plainManifest = await readManifestOnly(join(scratch, 'plain.tgz'));
  assert.equal([plainManifest.threatData?.builtAt, plainManifest.threatData?.index], [builtAt, null]);

  const carried = await runCliInProcess(
    ['mirror', '--out', join(scratch, 'feeds.tgz'), '--from', 'good/package-lock.json', '--with-feeds', '--config', config],
    { env, cwd: scratch },
  );
  assert.is(carried.code, 0, carried.stderr);
  const manifest = await readManifestOnly(join(scratch, 'feeds.tgz'));
  assert.is(manifest.threatData?.builtAt, builtAt);
  assert.match(manifest.threatData?.index?.sha256 ?? '', /^[0-9a-f]{64}$/);
  const list = await runCliInProcess(['mirror', '--list', join(scratch, 'feeds.tgz')], { env });
  assert.match(list.stdout, new RegExp(`threat data: OSV index built ${builtAt}, carried in the bundle`));

  const airEnv = isolatedEnv();
  const imported = await runCliInProcess(['import', join(scratch, 'feeds.tgz'), '--data-dir', airGapped, '--config', config], {
    env: airEnv,
  });
  assert.is(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /the bundle carries the OSV index built/);
  const check = await runCliInProcess(['check', '--offline', '--json', '--data-dir', airGapped, 'npm:leftfix@1.1.0', 'npm:leftfix@1.1.1'], {
    env: airEnv,
  });
  const { results, threatData } = JSON.parse(check.stdout) as {
    results: { decision: string; findings: { check: string }[] }[];
    threatData: { state: string };
  };
  assert.is(threatData.state, 'current');
  assert.ok(results[0]!.findings.some((f) => f.check === 'vulnerability'));
  assert.not.ok(results[1]!.findings.some((f) => f.check === 'vulnerability'));

  const serve = await spawnServe(['--offline', '--port', '0', '--data-dir', airGapped], { env: airEnv });
  try {
    const health = (await (await fetch(`${serve.url}/-/depfence/health`)).json()) as {
      threatData: { state: string; builtAt: string; autoUpdate: boolean };
    };
    assert.equal([health.threatData.state, health.threatData.builtAt, health.threatData.autoUpdate], ['current', builtAt, false]);
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
});

test('mirror --with-feeds without an index says to run depfence update', async () => {
  const result = await runCliInProcess(
    ['mirror', '--out', join(scratch, 'none.tgz'), '--from', 'good/package-lock.json', '--with-feeds', '--config', config],
    { env: isolatedEnv({ DEPFENCE_DATA_DIR: join(scratch, 'no-index') }), cwd: scratch },
  );
  assert.is(result.code, 2);
  assert.match(result.stderr, /--with-feeds carries the threat-data index, but .* has none; run depfence update first/);
});

test.run();
