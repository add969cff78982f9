// uv through the firewall, where uv is installed. uv is not on every machine (it is a binary
// download, not a registry package): without it this file says so and registers a skipped test.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { PYTHON, findUv, isolatedPipEnv, run } from '../helpers/pip.js';

const test = suite('pip/uv');
const uv = findUv();

if (uv === null) {
  console.log('  pip/uv: skipped: no `uv` on PATH (install uv to run the uv tests)');
  test.skip('uv pip install through the firewall (needs uv on PATH)', () => {});
} else {
  let pypi: PypiUpstream;
  let firewall: TestFirewall;
  const uvInstall = (requirement: string) => {
    const target = mkdtempSync(join(tmpdir(), 'depfence-uv-'));
    const env = {
      ...isolatedPipEnv(),
      UV_NO_CONFIG: '1',
      UV_CACHE_DIR: mkdtempSync(join(tmpdir(), 'depfence-uv-cache-')),
      UV_PYTHON_DOWNLOADS: 'never',
    };
    const args = [
      'pip',
      'install',
      '--python',
      PYTHON,
      '--target',
      target,
      '--default-index',
      firewall.simpleUrl,
      '--index-strategy',
      'first-index',
      requirement,
    ];
    return run(uv, args, env, 60_000).then((result) => ({ ...result, target }));
  };

  test.before(async () => {
    pypi = await PypiUpstream.start();
    pypi.addProject('app-core', { releases: { '1.0.0': { uploaded: daysAgo(400), dependencies: ['app-util>=1'] } }, downloads: 50_000 });
    pypi.addProject('app-util', {
      releases: { '1.0.0': { uploaded: daysAgo(400) }, '1.1.0': { uploaded: new Date(Date.now() - 3_600_000) } },
      downloads: 50_000,
    });
    pypi.addProject('reqeusts', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 40 });
    firewall = await startFirewall({ pypi, mounts: 'pypi' });
  });

  test.after(async () => {
    await firewall.close();
    await pypi.close();
  });

  test('uv installs an allowed package with its dependency, without the young version', async () => {
    const result = await uvInstall('app-core');
    assert.is(result.code, 0, result.output);
    assert.equal(
      readdirSync(result.target)
        .filter((e) => e.endsWith('.dist-info'))
        .sort(),
      ['app_core-1.0.0.dist-info', 'app_util-1.0.0.dist-info'],
    );
  });

  test('uv stops at the 403 of a typosquat', async () => {
    const result = await uvInstall('reqeusts');
    assert.is.not(result.code, 0);
    assert.match(result.output, '403');
  });
}

test.run();
