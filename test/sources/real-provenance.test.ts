// The npm provenance and publisher signals against real packuments: packages published with
// provenance (sigstore, its own tooling's) carry `dist.attestations` and `_npmUser` on the public
// registry. Where the registry cannot be reached, or answers packuments without those fields (the
// mirror this project is developed against strips both), the test is skipped and says why: the
// signals are then covered by the fixture packuments in test/policy/history.test.ts only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { npmReleaseHistory } from '../../src/sources/release-history.js';
import { REAL_REGISTRY, registryUnreachableReason } from '../helpers/real-registry.js';
import { checkHistory } from '../../src/policy/checks/history.js';
import { contextWith } from '../helpers/policy.js';

const PACKAGES = ['sigstore', '@sigstore/sign'];

test('real packuments: attested versions read as attested, publishers read, and no provenance-lost deny on the latest release', async () => {
  const unreachable = await registryUnreachableReason(PACKAGES[0]!);
  if (unreachable) {
    console.log(`  skipped: ${unreachable}`);
    return;
  }
  for (const name of PACKAGES) {
    const answer = await fetch(`${REAL_REGISTRY}${name.replace('/', '%2f')}`, {
      signal: AbortSignal.timeout(15_000),
      headers: { accept: 'application/json' },
    });
    const packument = (await answer.json()) as {
      'dist-tags': Record<string, string>;
      versions: Record<string, { dist?: { attestations?: unknown }; _npmUser?: unknown }>;
      time: Record<string, string>;
    };
    const manifests = Object.values(packument.versions);
    if (!manifests.some((manifest) => manifest.dist?.attestations !== undefined || manifest._npmUser !== undefined)) {
      console.log(
        `  skipped: ${REAL_REGISTRY} answers ${name} without dist.attestations or _npmUser on any of its ${manifests.length} versions (a mirror that strips them)`,
      );
      return;
    }
    const history = npmReleaseHistory(packument);
    const attested = history.releases.filter((release) => release.attested === true);
    assert.ok(attested.length > 0, `${name}: some version has provenance`);
    assert.ok(
      history.releases.some((release) => release.publisher),
      `${name}: some version names its publisher`,
    );
    const latest = packument['dist-tags'].latest!;
    const findings = checkHistory('npm', name, latest, history, contextWith(), new Date());
    assert.not.ok(
      findings.some((finding) => finding.severity === 'deny'),
      `${name}@${latest}: ${JSON.stringify(findings)}`,
    );
  }
});

test.run();
