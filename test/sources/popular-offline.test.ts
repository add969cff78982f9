// The false-positive bar: `check --offline` denies no package in the top 2,000 by
// downloads of either ecosystem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config/index.js';
import { createDecider } from '../../src/sources/decide.js';

test('no package in the top 2,000 of either ecosystem is denied offline', async () => {
  const { config } = loadConfig({
    env: { HOME: '/nonexistent-home' },
    cwd: '/',
    flags: [{ path: ['offline'], value: true, flag: '--offline' }],
  });
  const decider = createDecider(config);
  for (const ecosystem of ['npm', 'pypi'] as const) {
    const top = decider.snapshots[ecosystem].mostDownloaded({ limit: 2000 });
    assert.is(top.length, 2000);
    const denied = [];
    for (const { name } of top) {
      const decision = await decider.decide({ ecosystem, name, version: null });
      if (decision.decision === 'deny')
        denied.push(
          `${name}: ${decision.findings
            .filter((f) => f.severity === 'deny')
            .map((f) => f.message)
            .join('; ')}`,
        );
    }
    assert.equal(denied, [], `${ecosystem} top-2000 denials`);
  }
});

test.run();
