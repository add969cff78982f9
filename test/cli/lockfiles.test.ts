// Real dependency trees (test/fixtures/lockfiles: express, eslint and koa with their dev
// dependencies, about 1,860 packages) checked offline: nothing in them is denied, and what the
// typosquat check reports about them stays a warning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { REPO_ROOT, runCliInProcess } from '../helpers/cli.js';

interface Result {
  name: string;
  decision: string;
  findings: { check: string; severity: string; message: string }[];
}

for (const project of ['express-deps', 'eslint-deps', 'koa-deps']) {
  test(`${project}: no package of the lockfile is denied offline`, async () => {
    const lockfile = join(REPO_ROOT, 'test', 'fixtures', 'lockfiles', project, 'package-lock.json');
    const { code, stdout } = await runCliInProcess(['check', '--offline', '--json', '--file', lockfile]);
    const { results } = JSON.parse(stdout) as { results: Result[] };
    assert.ok(results.length > 300, `${results.length} packages read`);
    const denied = results.filter((result) => result.decision === 'deny');
    assert.equal(
      denied.map(
        (result) =>
          `${result.name}: ${result.findings
            .filter((f) => f.severity === 'deny')
            .map((f) => f.message)
            .join('; ')}`,
      ),
      [],
    );
    assert.is(code, 0);
    const resemblances = results.flatMap((result) => result.findings.filter((f) => f.check === 'typosquat'));
    console.log(`  ${project}: ${results.length} packages, ${resemblances.length} typosquat warnings`);
  });
}

test.run();
