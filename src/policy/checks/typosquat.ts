// Typosquat: the name is a likely mistyping of a popular package of the same ecosystem. Denied
// when it has less than `denyBelowShare` of the target's downloads (or its count is unknown),
// warned otherwise (a moderately popular near-name is usually a real project).
//
// Resemblances that are not typing mistakes (an affix such as `-cli`, reordered words, a scope
// folded into the name, a version number) are how many legitimate companion packages are named
// (`eslint-cli`, `hash-string`, the pre-scope `turf-intersect`, `cbor2`), so they only warn; a
// squat of that shape that nobody uses is still denied by the download floor.
import type { Finding, PackageFacts } from '../types.js';
import type { PolicyContext } from '../context.js';
import { describeCount } from './downloads.js';

const NAMING_CONVENTION_RULES: ReadonlySet<string> = new Set(['affix', 'word-order', 'scope-dropped', 'version-suffix']);

export function checkTyposquat(facts: PackageFacts, ctx: PolicyContext): Finding[] {
  if (!ctx.policy.typosquat.enabled) return [];
  const match = ctx.typosquat[facts.ecosystem].match(facts.name);
  if (!match) return [];
  const { denyBelowShare } = ctx.policy.typosquat;
  const downloads = facts.downloads.state === 'known' ? facts.downloads.value : null;
  const upperBound = downloads === null ? null : 'exactly' in downloads ? downloads.exactly : downloads.fewerThan;
  const share = upperBound === null ? null : upperBound / match.targetDownloads;
  const deny = !NAMING_CONVENTION_RULES.has(match.rule) && (share === null || share < denyBelowShare);
  const shareText = share === null ? 'an unknown share' : describeShare(share, downloads !== null && 'fewerThan' in downloads);
  return [
    {
      check: 'typosquat',
      severity: deny ? 'deny' : 'warn',
      message:
        `${facts.name} looks like a typosquat of ${match.target} (${match.detail}); ` +
        `it has ${shareText} of ${match.target}'s downloads`,
      evidence: {
        target: match.target,
        rule: match.rule,
        detail: match.detail,
        targetDownloads: match.targetDownloads,
        downloads: downloads === null ? null : describeCount(downloads),
        share,
        denyBelowShare,
      },
    },
  ];
}

/** "0.018%", or "less than 36.0%" when the count is only known to be below a snapshot's floor. */
function describeShare(share: number, upperBound: boolean): string {
  const percent = share * 100;
  if (percent < 0.01) return 'under 0.01%';
  const text = `${percent < 1 ? percent.toPrecision(2) : percent.toFixed(1)}%`;
  return upperBound ? `less than ${text}` : text;
}
