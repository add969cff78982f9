// Step 1 of the version filter: the policy's verdict on every version of a packument, each judged
// with its own publish time (from the full document's `time`; a version without one is hidden) and
// against the versions before it (the history signals). A version held back by age says which
// lower version is allowed now (it reaches npm in the 403). A version whose dependencies point
// outside the registry (git, URL, path) is denied too. The organisation's own packages (names
// reserved in policy.confusion.npm, which depfence serves only from its storage and the internal
// registry) are not age-gated or compared with their history.
import { canonicalNpmName } from '../../../names/index.js';
import {
  internalNameRule,
  judgeVersion,
  newestAllowedVersion,
  withNewestAllowed,
  type PolicyContext,
  type VersionVerdict,
} from '../../../policy/index.js';
import { npmReleaseHistory } from '../../../sources/release-history.js';
import { outsideDependencies } from './outside-dependencies.js';
import { versionTime } from '../../../protocol/npm/packument.js';
import type { Packument } from './packument.js';

export function judgeVersions(packument: Packument, ctx: PolicyContext, now: Date): Map<string, VersionVerdict> {
  const canonicalName = canonicalNpmName(packument.name);
  const ownPackage = internalNameRule('npm', canonicalName, ctx.policy.confusion) !== null;
  const history = ownPackage ? undefined : npmReleaseHistory(packument);
  const verdicts = new Map<string, VersionVerdict>();
  const times = new Map<string, Date>();
  for (const version of Object.keys(packument.versions)) {
    const published = versionTime(packument.time, version);
    if (published) times.set(version, published);
    const outside = outsideDependencies(packument.versions[version]!);
    verdicts.set(
      version,
      judgeVersion(
        {
          ecosystem: 'npm',
          name: packument.name,
          canonicalName,
          version,
          published,
          ...(history && { history }),
          outsideDependencies: outside,
        },
        ctx,
        now,
        { ownPackage },
      ),
    );
  }
  for (const [version, verdict] of verdicts) {
    if (!verdict.findings.some((finding) => finding.evidence.allowedFrom !== undefined)) continue;
    const newest = newestAllowedVersion(
      { ecosystem: 'npm', name: packument.name, canonicalName, below: version, times, accepts: (v) => verdicts.get(v)?.hidden === false },
      ctx,
      now,
    );
    verdicts.set(version, { ...verdict, findings: verdict.findings.map((finding) => withNewestAllowed(finding, newest)) });
  }
  return verdicts;
}

export function hiddenVersions(verdicts: ReadonlyMap<string, VersionVerdict>): Set<string> {
  return new Set([...verdicts].filter(([, verdict]) => verdict.hidden).map(([version]) => version));
}
