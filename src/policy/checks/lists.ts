// The user's own allow and deny lists from the configuration. A deny entry denies the package (or
// the versions in its range). An allow entry that has not expired overrides every other finding
// except a known-malicious version; the engine applies that override.
import type { AllowEntry, DenyEntry } from '../../config/schema.js';
import { canonicalName } from '../../names/index.js';
import type { Finding, PackageFacts } from '../types.js';
import type { PolicyContext } from '../context.js';
import { versionInRange } from './version-match.js';

function entryNames(facts: PackageFacts, entry: AllowEntry | DenyEntry): boolean {
  return entry.ecosystem === facts.ecosystem && canonicalName(entry.ecosystem, entry.name) === facts.canonicalName;
}

/** Does the entry cover the facts' version? Asked about the package as a whole, only an entry for every version does. */
function entryCovers(facts: PackageFacts, entry: AllowEntry | DenyEntry): boolean {
  if (facts.version === null) return entry.versions === undefined;
  return versionInRange(facts.ecosystem, facts.version, entry.versions);
}

export function checkDenyList(facts: PackageFacts, ctx: PolicyContext): Finding[] {
  return ctx.deny
    .filter((entry) => entryNames(facts, entry))
    .map((entry): Finding => {
      const covered = entryCovers(facts, entry);
      const what = entry.versions === undefined ? facts.name : `${facts.name} ${entry.versions}`;
      return {
        check: 'denylist',
        severity: covered ? 'deny' : 'info',
        message: covered
          ? `${what} is on the deny list: ${entry.reason}`
          : `versions ${entry.versions} of ${facts.name} are on the deny list and hidden: ${entry.reason}`,
        evidence: { name: entry.name, versions: entry.versions ?? null, reason: entry.reason },
      };
    });
}

/** The allow entry that applies now, and the expired ones (reported so nobody wonders why an allow stopped working). */
export function findAllowEntry(facts: PackageFacts, ctx: PolicyContext, now: Date): { active: AllowEntry | null; expired: AllowEntry[] } {
  const matching = ctx.allow.filter((entry) => entryNames(facts, entry) && entryCovers(facts, entry));
  const isExpired = (entry: AllowEntry) => entry.expires !== undefined && entry.expires.getTime() <= now.getTime();
  return { active: matching.find((entry) => !isExpired(entry)) ?? null, expired: matching.filter(isExpired) };
}

export function allowFinding(entry: AllowEntry): Finding {
  return {
    check: 'allowlist',
    severity: 'info',
    message: `allowed by the allow list: ${entry.reason}${entry.expires ? ` (until ${entry.expires.toISOString().slice(0, 10)})` : ''}`,
    evidence: { name: entry.name, versions: entry.versions ?? null, reason: entry.reason, expires: entry.expires?.toISOString() ?? null },
  };
}

export function expiredAllowFinding(entry: AllowEntry): Finding {
  return {
    check: 'allowlist',
    severity: 'info',
    message: `an allow entry for ${entry.name} expired on ${entry.expires?.toISOString().slice(0, 10)} and no longer applies (${entry.reason})`,
    evidence: {
      name: entry.name,
      versions: entry.versions ?? null,
      reason: entry.reason,
      expires: entry.expires?.toISOString() ?? null,
      expired: true,
    },
  };
}
