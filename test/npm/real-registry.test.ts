// The real npm client through the firewall to the real npm registry (the default upstream). The
// only test that uses the network: it is skipped, saying why, when the registry cannot be reached.
// Publish times on registry mirrors can be re-stamped and live download counts may be out of
// reach, so the package is on the allow list: this checks the plumbing (packument, filter, tarball
// integrity, lockfile URLs), not the policy's verdict on real data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TestFirewall } from '../helpers/firewall.js';
import { startFirewall } from '../helpers/firewall.js';
import { makeProject, runNpm } from '../helpers/npm-client.js';
import { storedTarballs } from '../helpers/npm-firewall.js';
import { REAL_REGISTRY, registryUnreachableReason } from '../helpers/real-registry.js';

const reason = await registryUnreachableReason('is-number');

if (reason !== null) {
  console.log(`  skipping the real-registry npm test: ${reason}`);
  test.skip('npm installs is-number from the real registry through the firewall', () => {});
} else {
  let firewall: TestFirewall;
  test.before(async () => {
    firewall = await startFirewall({
      configure: (config) => {
        config.network.timeout = 20_000;
        config.allow = [{ ecosystem: 'npm', name: 'is-number', reason: 'test: independent of real publish times and download counts' }];
      },
    });
  });
  test.after(async () => {
    await firewall?.close();
  });

  // express 4 needs mime 1.x, whose old versions carry legacy shapes (`dependencies` as an array):
  // the whole tree must be read. The policy's verdicts on real data are not what this checks, so
  // age gates and download floors are off; every other check (and the filter) runs.
  test('npm installs express 4 (legacy packument shapes in its tree) from the real registry', async () => {
    const lenient = await startFirewall({
      configure: (config) => {
        config.network.timeout = 20_000;
        config.policy.minVersionAge = 0;
        config.policy.minPackageAge = 0;
        config.policy.downloads = { deny: 0, warn: 0 };
      },
    });
    const project = makeProject({ dependencies: { express: '^4.21.0' } });
    try {
      const run = await runNpm(['install', '--no-audit', '--no-fund'], { cwd: project.dir, registry: lenient.url, timeoutMs: 180_000 });
      assert.is(run.code, 0, run.output);
      assert.match(String(project.installed('express')?.version), /^4\./);
      assert.match(String(project.installed('mime')?.version), /^1\./);
    } finally {
      project.remove();
      await lenient.close();
    }
  });

  test('npm installs is-number from the real registry through the firewall', async () => {
    const project = makeProject({ dependencies: { 'is-number': '^7.0.0' } });
    try {
      const run = await runNpm(['install'], { cwd: project.dir, registry: firewall.url, timeoutMs: 90_000 });
      assert.is(run.code, 0, run.output);
      assert.is(project.installed('is-number')?.version, '7.0.0');
      const entry = project.lockfile().packages['node_modules/is-number'];
      assert.is(
        entry?.resolved,
        `${REAL_REGISTRY}is-number/-/is-number-7.0.0.tgz`,
        "portable: the registry's own URL (upstreams.npm.lockfileUrls: auto)",
      );
      const stored = (await storedTarballs(firewall.dataDir)).includes('/is-number/-/is-number-7.0.0.tgz');
      assert.ok(stored, 'npm still fetched the tarball through the firewall, which verified and stored it');
      assert.match(String(entry?.integrity), /^sha512-/);
      assert.ok(firewall.audit().some((record) => record.name === 'is-number' && record.subject === 'packument'));
    } finally {
      project.remove();
    }
  });
}

test.run();
