// Step 1 of the version filter: the policy's verdict on every version of a packument, each judged
// with its own publish time (from the full document's `time`; a version without one is hidden).
import { canonicalNpmName } from '../../../names/index.js';
import { judgeVersion, type PolicyContext, type VersionVerdict } from '../../../policy/index.js';
import { publishTime, type Packument } from './packument.js';

export function judgeVersions(packument: Packument, ctx: PolicyContext, now: Date): Map<string, VersionVerdict> {
  const canonicalName = canonicalNpmName(packument.name);
  const verdicts = new Map<string, VersionVerdict>();
  for (const version of Object.keys(packument.versions)) {
    const subject = { ecosystem: 'npm', name: packument.name, canonicalName, version, published: publishTime(packument, version) } as const;
    verdicts.set(version, judgeVersion(subject, ctx, now));
  }
  return verdicts;
}

export function hiddenVersions(verdicts: ReadonlyMap<string, VersionVerdict>): Set<string> {
  return new Set([...verdicts].filter(([, verdict]) => verdict.hidden).map(([version]) => version));
}
