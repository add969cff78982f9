// Version-level policy for the registry proxies: which versions (npm) or files (PyPI, judged with
// each file's own upload time) a client may see. A version is hidden when any of its findings
// denies: too young, no publish time, a denied range, a known-malicious version, a vulnerability
// at or above policy.vulnerabilities.deny.
import type { Ecosystem, Finding, PackageFacts, ReleaseHistory } from './types.js';
import type { PolicyContext } from './context.js';
import { checkAdvisories } from './checks/advisories.js';
import { versionAgeFinding } from './checks/age.js';
import { checkBlocklists } from './checks/blocklist.js';
import { checkHistory } from './checks/history.js';
import { checkDenyList, findAllowEntry } from './checks/lists.js';
import { checkDependencySources, type OutsideDependency } from './checks/dependency-sources.js';

export interface VersionToJudge {
  ecosystem: Ecosystem;
  name: string;
  canonicalName: string;
  version: string;
  /** The version's publish time (npm) or the file's upload time (PyPI); null when the registry gave none. */
  published: Date | null;
  /** The package's releases, for the history signals (checks/history.ts), where the caller has them. */
  history?: ReleaseHistory;
  /** Dependencies of this version that are not on a registry (npm), where the caller read them. */
  outsideDependencies?: readonly OutsideDependency[];
}

export interface VersionVerdict {
  hidden: boolean;
  /** The deny findings that hide the version. */
  findings: Finding[];
  /** Warnings that leave it visible (history signals such as a new publisher), for the logs. */
  warnings: Finding[];
}

export interface JudgeOptions {
  /**
   * A name reserved for the organisation's own packages (policy.confusion), served only from its
   * own registry: the age gate, which guards against fresh releases of public packages, does not
   * apply (a team installs what it just published); deny lists and blocklists still do.
   */
  ownPackage?: boolean;
}

export function judgeVersion(subject: VersionToJudge, ctx: PolicyContext, now: Date, options: JudgeOptions = {}): VersionVerdict {
  const facts = versionFacts(subject);
  const findings: Finding[] = [...checkDenyList(facts, ctx), ...checkBlocklists(facts, ctx), ...checkAdvisories(facts, ctx, now)];
  const age = options.ownPackage ? null : versionAgeFinding(subject.ecosystem, subject.name, subject.version, subject.published, ctx, now);
  if (age) findings.push(age);
  if (subject.history) findings.push(...checkHistory(subject.ecosystem, subject.name, subject.version, subject.history, ctx, now));
  if (subject.outsideDependencies) findings.push(...checkDependencySources(subject.name, subject.version, subject.outsideDependencies));
  const { active } = findAllowEntry(facts, ctx, now);
  const deciding = findings.filter((finding) => finding.severity === 'deny' && (finding.check === 'malicious' || !active));
  const warnings = findings.filter((finding) => finding.severity === 'warn' && !active);
  return { hidden: deciding.length > 0, findings: deciding, warnings };
}

/** The version-level checks read only names and versions; the rest of the facts are not needed here. */
function versionFacts(subject: VersionToJudge): PackageFacts {
  const notNeeded = { state: 'not-evaluated', reason: 'not needed for a version-level decision' } as const;
  return {
    ecosystem: subject.ecosystem,
    name: subject.name,
    canonicalName: subject.canonicalName,
    version: subject.version,
    exists: notNeeded,
    downloads: notNeeded,
    publishTimes: notNeeded,
  };
}
