// Typosquat: the name resembles a popular package of the same ecosystem. Every resemblance is
// reported; how strongly depends on its tier (names/typosquat/types.ts) and on the package's own
// popularity and age:
// - a typo (a swapped, doubled or look-alike character…) is denied when the package has less than
//   `denyBelowShare` of the target's downloads (or its count is unknown), warned otherwise;
// - a resemblance (a letter in front, an affix, another version number, another scope…) is how
//   many legitimate companion packages are named (`eslint-cli`, `cbor2`, `preact`), so it is denied
//   only when the share is below `denyBelowShare` *and* the package is young (first published less
//   than `youngerThan` ago) or unpopular (below the download check's warning floor); warned otherwise.
import { formatDuration } from '../../config/duration.js';
import type { DownloadCount, Finding, PackageFacts } from '../types.js';
import type { PolicyContext, TyposquatMatch } from '../context.js';
import { describeCount } from './downloads.js';

/** How many other resembled names a finding lists besides the closest one. */
const OTHERS_SHOWN = 3;

export function checkTyposquat(facts: PackageFacts, ctx: PolicyContext, now: Date): Finding[] {
  if (!ctx.policy.typosquat.enabled) return [];
  const [match, ...others] = ctx.typosquat[facts.ecosystem].matchAll(facts.name);
  if (!match) return [];
  const { denyBelowShare } = ctx.policy.typosquat;
  const downloads = facts.downloads.state === 'known' ? facts.downloads.value : null;
  const upperBound = downloads === null ? null : 'exactly' in downloads ? downloads.exactly : downloads.fewerThan;
  const share = upperBound === null ? null : upperBound / match.targetDownloads;
  const shareBelow = share !== null && share < denyBelowShare;
  const weakness = weaknessOf(facts, ctx, now, upperBound);
  const deny = match.tier === 'typo' ? share === null || shareBelow : shareBelow && weakness !== null;
  const also = others.slice(0, OTHERS_SHOWN);
  return [
    {
      check: 'typosquat',
      severity: deny ? 'deny' : 'warn',
      message: messageOf(facts.name, match, { downloads, share, shareBelow, weakness, deny }) + alsoText(also),
      evidence: {
        target: match.target,
        rule: match.rule,
        detail: match.detail,
        tier: match.tier,
        targetDownloads: match.targetDownloads,
        downloads: downloads === null ? null : describeCount(downloads),
        share,
        denyBelowShare,
        ...(weakness === null ? {} : { weakness }),
        ...(also.length === 0 ? {} : { alsoResembles: also.map(({ target, rule, detail }) => ({ target, rule, detail })) }),
      },
    },
  ];
}

/** Why the package counts as young or unpopular, or null when it is neither (or that is unknown). */
function weaknessOf(facts: PackageFacts, ctx: PolicyContext, now: Date, downloadsUpperBound: number | null): string | null {
  const { warn } = ctx.policy.downloads;
  if (downloadsUpperBound !== null && downloadsUpperBound <= warn) return `fewer than ${warn.toLocaleString('en-US')} downloads last month`;
  const times = facts.publishTimes;
  const { youngerThan } = ctx.policy.typosquat;
  if (times.state === 'known' && times.value.created !== null && now.getTime() - times.value.created.getTime() < youngerThan) {
    return `first published less than ${formatDuration(youngerThan)} ago`;
  }
  return null;
}

interface Standing {
  downloads: DownloadCount | null;
  share: number | null;
  shareBelow: boolean;
  weakness: string | null;
  deny: boolean;
}

function messageOf(name: string, match: TyposquatMatch, standing: Standing): string {
  const { downloads, share } = standing;
  const head =
    match.tier === 'typo'
      ? `${name} looks like a typosquat of ${match.target} (${match.detail})`
      : `${name} resembles ${match.target} (${match.detail})`;
  // Offline, a name missing from the snapshot is only known to be below its floor: when that does
  // not settle the decision, say the count is unknown rather than quote a share that decided nothing.
  if (downloads !== null && 'fewerThan' in downloads && !standing.deny) {
    return `${head}; download count unknown offline (the snapshot only says ${describeCount(downloads)})`;
  }
  const shareText = share === null ? 'an unknown share' : describeShare(share, downloads !== null && 'fewerThan' in downloads);
  const tail = match.tier === 'resemblance' && standing.shareBelow && standing.weakness !== null ? `, and ${standing.weakness}` : '';
  return `${head}; it has ${shareText} of ${match.target}'s downloads${tail}`;
}

function alsoText(others: readonly TyposquatMatch[]): string {
  return others.length === 0 ? '' : ` (it also resembles ${others.map((other) => other.target).join(', ')})`;
}

/** "0.018%", or "less than 36.0%" when the count is only known to be below a snapshot's floor. */
function describeShare(share: number, upperBound: boolean): string {
  const percent = share * 100;
  if (percent < 0.01) return 'under 0.01%';
  const text = `${percent < 1 ? percent.toPrecision(2) : percent.toFixed(1)}%`;
  return upperBound ? `less than ${text}` : text;
}
