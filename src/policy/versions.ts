// Version-level policy for the registry proxies: which versions (npm) or files (PyPI, judged with
// each file's own upload time) a client may see. A version is hidden when any of its findings
// denies: too young, no publish time, a denied range, a known-malicious version.
import type { Ecosystem, Finding, PackageFacts } from './types.js';
import type { PolicyContext } from './context.js';
import { versionAgeFinding } from './checks/age.js';
import { checkBlocklists } from './checks/blocklist.js';
import { checkDenyList, findAllowEntry } from './checks/lists.js';

export interface VersionToJudge {
  ecosystem: Ecosystem;
  name: string;
  canonicalName: string;
  version: string;
  /** The version's publish time (npm) or the file's upload time (PyPI); null when the registry gave none. */
  published: Date | null;
}

export interface VersionVerdict {
  hidden: boolean;
  findings: Finding[];
}

export function judgeVersion(subject: VersionToJudge, ctx: PolicyContext, now: Date): VersionVerdict {
  const facts = versionFacts(subject);
  const findings: Finding[] = [...checkDenyList(facts, ctx), ...checkBlocklists(facts, ctx)];
  const age = versionAgeFinding(subject.ecosystem, subject.name, subject.version, subject.published, ctx, now);
  if (age) findings.push(age);
  const { active } = findAllowEntry(facts, ctx, now);
  const deciding = findings.filter((finding) => finding.severity === 'deny' && (finding.check === 'malicious' || !active));
  return { hidden: deciding.length > 0, findings: deciding };
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
