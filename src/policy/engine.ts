// The policy engine: runs the checks over one package's facts and combines their findings into
// one decision. Pure: the facts, the context and the time come in, a Decision goes out.
import type { AllowEntry } from '../config/schema.js';
import type { Decision, DecisionEcosystem, Finding, PackageFacts, ReleaseHistory, Verdict } from './types.js';
import type { PackageOrigin, PolicyContext } from './context.js';
import { checkAdvisories } from './checks/advisories.js';
import { checkAge } from './checks/age.js';
import { checkBlocklists } from './checks/blocklist.js';
import { checkConfusion } from './checks/confusion.js';
import { checkDownloads } from './checks/downloads.js';
import { checkExists } from './checks/exists.js';
import { checkHistory, currentVersion } from './checks/history.js';
import { allowFinding, checkDenyList, expiredAllowFinding, findAllowEntry } from './checks/lists.js';
import { checkTyposquat } from './checks/typosquat.js';
import { newestAllowedVersion, withNewestAllowed } from './way-forward.js';

export interface EvaluateOptions {
  now: Date;
  /** 'internal': fetched from the organisation's own upstream; popularity and confusion checks do not apply. */
  origin?: PackageOrigin;
}

export function evaluate(facts: PackageFacts, ctx: PolicyContext, options: EvaluateOptions): Decision {
  const origin = options.origin ?? 'public';
  const findings = [...runChecks(facts, ctx, origin, options.now)].map((finding) => withWayForward(finding, facts, ctx, options.now));
  const { active, expired } = findAllowEntry(facts, ctx, options.now);
  const final = applyAllowEntries(findings, active, expired);
  return {
    ecosystem: facts.ecosystem,
    name: facts.name,
    version: facts.version,
    decision: verdictOf(final),
    findings: final,
  };
}

function* runChecks(facts: PackageFacts, ctx: PolicyContext, origin: PackageOrigin, now: Date): Iterable<Finding> {
  yield* checkDenyList(facts, ctx);
  yield* checkBlocklists(facts, ctx);
  yield* checkAdvisories(facts, ctx, now);
  yield* checkConfusion(facts, ctx, origin);
  // Metadata-based checks run only on a package the registry has: an unknown or unreachable name
  // is reported once, by the exists check, rather than once per check that needed its metadata.
  const exists = facts.exists;
  yield* checkExists(facts, ctx);
  const metadataUsable = exists.state === 'known' ? exists.value : exists.state === 'not-evaluated';
  if (metadataUsable) yield* checkAge(facts, ctx, now);
  if (metadataUsable && facts.history?.state === 'known') yield* packageHistory(facts, facts.history.value, ctx, now);
  if (origin === 'public') {
    // A name the registry does not have is reported by the exists check, with its "did you mean".
    if (!(exists.state === 'known' && !exists.value)) yield* checkTyposquat(facts, ctx, now);
    if (metadataUsable) yield* checkDownloads(facts, ctx, now);
  }
}

/** A version held back by age: say which lower version is allowed now. */
function withWayForward(finding: Finding, facts: PackageFacts, ctx: PolicyContext, now: Date): Finding {
  if (
    finding.check !== 'age' ||
    finding.evidence.allowedFrom === undefined ||
    facts.version === null ||
    facts.publishTimes.state !== 'known'
  )
    return finding;
  const query = {
    ecosystem: facts.ecosystem,
    name: facts.name,
    canonicalName: facts.canonicalName,
    below: facts.version,
    times: facts.publishTimes.value.versions,
  };
  return withNewestAllowed(finding, newestAllowedVersion(query, ctx, now));
}

/**
 * The history signals of the version asked about; asked about the package as a whole, those of its
 * current version, where a deny only means that version is hidden (installs get an earlier one).
 */
function packageHistory(facts: PackageFacts, history: ReleaseHistory, ctx: PolicyContext, now: Date): Finding[] {
  const version = facts.version ?? currentVersion(facts.ecosystem, history);
  if (version === null) return [];
  const findings = checkHistory(facts.ecosystem, facts.name, version, history, ctx, now);
  if (facts.version !== null) return findings;
  return findings.map((finding) =>
    finding.severity === 'deny'
      ? {
          ...finding,
          severity: 'warn',
          message: `${finding.message}; that version is hidden, so installs get an earlier one`,
          evidence: { ...finding.evidence, version },
        }
      : finding,
  );
}

/** Findings an allow entry never overrides: a known-malicious version, bytes that are not the ones listed, a models.lock. */
const NEVER_OVERRIDDEN: ReadonlySet<Finding['check']> = new Set(['malicious', 'integrity', 'lock']);

/**
 * The active allow entry turns every deny and warn into information (except those above) and is
 * reported; expired entries are reported so nobody wonders why an allow stopped working.
 */
export function applyAllowEntries(findings: readonly Finding[], active: AllowEntry | null, expired: readonly AllowEntry[]): Finding[] {
  const final = active ? [...findings.map(overriddenBy(active.reason)), allowFinding(active)] : [...findings];
  final.push(...expired.map(expiredAllowFinding));
  return final;
}

function overriddenBy(reason: string) {
  return (finding: Finding): Finding => {
    if (NEVER_OVERRIDDEN.has(finding.check) || finding.severity === 'info') return finding;
    return { ...finding, severity: 'info', evidence: { ...finding.evidence, overridden: finding.severity, allowReason: reason } };
  };
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((finding) => finding.severity === 'deny')) return 'deny';
  if (findings.some((finding) => finding.severity === 'warn')) return 'warn';
  return 'allow';
}

/** Did the decision fail closed because a fact could not be fetched (rather than on known facts)? */
export function deniedOnlyForMissingFacts(decision: Decision<DecisionEcosystem>): boolean {
  const denials = decision.findings.filter((finding) => finding.severity === 'deny');
  return denials.length > 0 && denials.every((finding) => finding.evidence.unavailable === true);
}
