// Advisories from the threat-data index (OSV): known-malicious packages and versions (MAL-
// records), and known vulnerabilities by severity. Asked about one version, every advisory whose
// affected versions include it is a finding; asked about the package as a whole, only an advisory
// that affects every version decides, and the rest are summarised (those versions are hidden).
import type { AdvisoryAllowEntry, SeverityWord } from '../../config/schema.js';
import type { Finding, PackageFacts, Severity } from '../types.js';
import type { Advisory, AffectingAdvisory, PolicyContext } from '../context.js';
import { atLeast } from '../severity-words.js';

export function checkAdvisories(facts: PackageFacts, ctx: PolicyContext, now: Date): Finding[] {
  const found = ctx.advisories.forPackage(facts.ecosystem, facts.canonicalName);
  if (!found) return [];
  if (facts.version !== null)
    return found.affecting(facts.version).map((affecting) => versionFinding(facts, facts.version, affecting, ctx, now));
  const findings = found.all
    .filter((advisory) => advisory.everyVersion)
    .map((advisory) => versionFinding(facts, null, { advisory, upgradeTo: null }, ctx, now));
  const some = found.all.filter((advisory) => !advisory.everyVersion);
  if (some.length > 0) findings.push(someVersionsFinding(facts, some, ctx));
  return findings;
}

/** The severity word a vulnerability counts as, and the verdict the policy gives it. */
export function vulnerabilityVerdict(advisory: Advisory, ctx: PolicyContext): { word: SeverityWord; severity: Severity } {
  const word = advisory.severity ?? ctx.policy.vulnerabilities.unscored;
  const { deny, warn } = ctx.policy.vulnerabilities;
  return { word, severity: atLeast(word, deny) ? 'deny' : atLeast(word, warn) ? 'warn' : 'info' };
}

function versionFinding(
  facts: PackageFacts,
  version: string | null,
  { advisory, upgradeTo }: AffectingAdvisory,
  ctx: PolicyContext,
  now: Date,
): Finding {
  const what = version === null ? facts.name : `${facts.name} ${version}`;
  const evidence = advisoryEvidence(advisory, upgradeTo);
  if (advisory.kind === 'malicious') {
    const message = advisory.everyVersion
      ? `${facts.name} is a known-malicious package (${advisory.id}: ${advisory.summary})`
      : `${what} is a known-malicious version (${advisory.id}: ${advisory.summary})`;
    return { check: 'malicious', severity: ctx.policy.malicious, message, evidence };
  }
  const { word, severity } = vulnerabilityVerdict(advisory, ctx);
  const scored =
    advisory.severity === null
      ? `no severity given, counted as ${word}`
      : advisory.score === null
        ? word
        : `${word}, CVSS ${advisory.score}`;
  const scope = version === null ? `every version of ${facts.name} is affected by` : `${what} is affected by`;
  const message = `${scope} ${advisory.id} (${scored}): ${advisory.summary}; ${wayForward(advisory, upgradeTo)}`;
  const accepted = acceptingEntry(advisory, ctx.acceptedAdvisories, now);
  if (accepted.active && severity !== 'info') {
    return {
      check: 'vulnerability',
      severity: 'info',
      message: `${message} (accepted by the allow list: ${accepted.active.reason})`,
      evidence: { ...evidence, overridden: severity, allowReason: accepted.active.reason },
    };
  }
  const expired = accepted.expired ? { expiredAllow: accepted.expired.reason } : {};
  return { check: 'vulnerability', severity, message, evidence: { ...evidence, ...expired } };
}

function someVersionsFinding(facts: PackageFacts, advisories: Advisory[], ctx: PolicyContext): Finding {
  const malicious = advisories.filter((advisory) => advisory.kind === 'malicious');
  const vulnerabilities = advisories.filter((advisory) => advisory.kind === 'vulnerability');
  const hidden = vulnerabilities.filter((advisory) => vulnerabilityVerdict(advisory, ctx).severity === 'deny');
  const parts: string[] = [];
  if (malicious.length > 0) parts.push(`known-malicious versions (${malicious.map((a) => a.id).join(', ')}), which are hidden`);
  if (vulnerabilities.length > 0) {
    const list = vulnerabilities.map((a) => `${a.id} ${vulnerabilityVerdict(a, ctx).word}`).join(', ');
    parts.push(
      `${vulnerabilities.length} known ${vulnerabilities.length === 1 ? 'vulnerability' : 'vulnerabilities'} in some versions (${list})${hidden.length > 0 ? `; versions affected by ${hidden.map((a) => a.id).join(', ')} are hidden` : ''}`,
    );
  }
  return {
    check: malicious.length > 0 ? 'malicious' : 'vulnerability',
    severity: 'info',
    message: `${facts.name} has ${parts.join(', and ')}`,
    evidence: { advisories: advisories.map((advisory) => advisoryEvidence(advisory, null)) },
  };
}

function advisoryEvidence(advisory: Advisory, upgradeTo: string | null): Record<string, unknown> {
  return {
    advisory: advisory.id,
    aliases: advisory.aliases,
    summary: advisory.summary,
    kind: advisory.kind,
    severity: advisory.severity,
    score: advisory.score,
    severitySource: advisory.severitySource,
    fixed: advisory.fixed,
    upgradeTo,
    source: 'OSV',
  };
}

function wayForward(advisory: Advisory, upgradeTo: string | null): string {
  if (upgradeTo !== null) return `use ${upgradeTo} or later`;
  if (advisory.fixed.length > 0) return `fixed in ${advisory.fixed.join(', ')}`;
  return 'no fixed version is known';
}

function acceptingEntry(
  advisory: Advisory,
  entries: readonly AdvisoryAllowEntry[],
  now: Date,
): { active: AdvisoryAllowEntry | null; expired: AdvisoryAllowEntry | null } {
  const ids = new Set([advisory.id, ...advisory.aliases].map((id) => id.toUpperCase()));
  const matching = entries.filter((entry) => ids.has(entry.advisory.toUpperCase()));
  const isExpired = (entry: AdvisoryAllowEntry) => entry.expires !== undefined && entry.expires.getTime() <= now.getTime();
  return { active: matching.find((entry) => !isExpired(entry)) ?? null, expired: matching.find(isExpired) ?? null };
}

/**
 * How to get past denials that are all vulnerabilities: a fixed version, or an allow entry for the
 * advisory. Null when something else denies too (the caller says how to allow that).
 */
export function vulnerabilityWayOut(denials: readonly Finding[]): string | null {
  if (denials.length === 0 || denials.some((finding) => finding.check !== 'vulnerability')) return null;
  const upgrades = [
    ...new Set(denials.map((finding) => finding.evidence.upgradeTo).filter((version): version is string => typeof version === 'string')),
  ];
  const ids = [...new Set(denials.map((finding) => String(finding.evidence.advisory)))];
  const upgrade =
    upgrades.length === 1
      ? `use ${upgrades[0]} or later`
      : upgrades.length > 1
        ? `use a version with the fixes (${upgrades.join(', ')})`
        : 'use another version';
  return `${upgrade}, or accept the risk in depfence.yaml: allow: [{ advisory: ${ids[0]}, reason: "why it does not affect you" }]${ids.length > 1 ? ` (one entry per advisory: ${ids.join(', ')})` : ''}`;
}
