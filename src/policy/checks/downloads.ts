// Download floor: packages with fewer than `deny` downloads last month are denied, fewer than
// `warn` are warned. A snapshot that only says "fewer than its floor" decides only where that
// floor is at or below a threshold.
import type { DownloadCount, Fact, Finding, PackageFacts } from '../types.js';
import { establishedByHistory, establishedByScope } from './established.js';
import type { PolicyContext } from '../context.js';
import { missingFactFinding } from './fact-gaps.js';

export function checkDownloads(facts: PackageFacts, ctx: PolicyContext, now: Date): Finding[] {
  const downloads = facts.downloads;
  if (downloads.state === 'unavailable') return [withoutDownloadCount(facts, downloads, ctx, now)];
  if (downloads.state !== 'known') return [missingFactFinding('downloads', downloads, 'download count')];
  const { deny, warn } = ctx.policy.downloads;
  const evidence = { downloads: describeCount(downloads.value), source: downloads.source, deny, warn };
  const upperBound = 'exactly' in downloads.value ? downloads.value.exactly + 1 : downloads.value.fewerThan;
  if (upperBound <= deny) {
    return [
      {
        check: 'downloads',
        severity: 'deny',
        message: `${facts.name} had ${describeCount(downloads.value)} downloads last month, below the floor of ${deny}`,
        evidence,
      },
    ];
  }
  if (upperBound <= warn) {
    return [
      {
        check: 'downloads',
        severity: 'warn',
        message: `${facts.name} had ${describeCount(downloads.value)} downloads last month (warning below ${warn})`,
        evidence,
      },
    ];
  }
  if ('fewerThan' in downloads.value) {
    return [
      {
        check: 'downloads',
        severity: 'info',
        message: `${facts.name} had ${describeCount(downloads.value)} downloads last month; the exact count is needed to compare it with ${warn}`,
        evidence: { ...evidence, notEvaluated: true },
      },
    ];
  }
  return [];
}

/** No count: an established package is warned, saying which facts decided; anything else is denied, saying why. */
function withoutDownloadCount(
  facts: PackageFacts,
  downloads: Extract<Fact<DownloadCount>, { state: 'unavailable' }>,
  ctx: PolicyContext,
  now: Date,
): Finding {
  const byHistory = establishedByHistory(facts, now);
  const byScope = byHistory.established ? null : establishedByScope(facts, ctx, now);
  const established = byHistory.established ? byHistory : byScope!.established ? byScope! : null;
  if (established?.established) {
    return {
      check: 'downloads',
      severity: 'warn',
      message: `${facts.name}: download count unavailable; ${established.how} (${established.decidedBy.join('; ')})`,
      evidence: { downloads: 'unavailable', reason: downloads.reason, source: downloads.source, decidedBy: established.decidedBy },
    };
  }
  const why = [byHistory, byScope].flatMap((result) =>
    result && !result.established && result.why !== 'it is not in an established scope' ? [result.why] : [],
  );
  const missing = missingFactFinding('downloads', downloads, 'download count');
  return {
    ...missing,
    message: `${missing.message}; nor is it established by age and history: ${why.join('; ')}`,
    evidence: { ...missing.evidence, notEstablished: why },
  };
}

export function describeCount(count: DownloadCount): string {
  return 'exactly' in count ? count.exactly.toLocaleString('en-US') : `fewer than ${count.fewerThan.toLocaleString('en-US')}`;
}
