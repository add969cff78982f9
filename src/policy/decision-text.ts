// Decisions as text for a person: a line per package, a line per finding, and how to allow a denial.
import { vulnerabilityWayOut, type Decision, type DecisionEcosystem, type Finding } from './index.js';

const MARK = { deny: 'DENY ', warn: 'WARN ', allow: 'ALLOW' } as const;

export function packageLabel(decision: Pick<Decision<DecisionEcosystem>, 'ecosystem' | 'name' | 'version'>): string {
  const separator = decision.ecosystem === 'pypi' ? '==' : '@';
  return `${decision.ecosystem}:${decision.name}${decision.version === null ? '' : `${separator}${decision.version}`}`;
}

/** Checks that did not run (offline) are left out: the report's footer says so once. */
export function formatDecision(decision: Decision<DecisionEcosystem>): string {
  const lines = [`${MARK[decision.decision]}  ${packageLabel(decision)}`];
  for (const finding of decision.findings) {
    if (finding.evidence.notEvaluated !== true) lines.push(`       ${findingLine(finding)}`);
  }
  if (decision.decision === 'deny') lines.push(`       ${howToAllow(decision)}`);
  return lines.join('\n');
}

function findingLine(finding: Finding): string {
  return `${finding.severity.padEnd(4)}  ${finding.check}: ${finding.message}`;
}

export function howToAllow(decision: Decision<DecisionEcosystem>): string {
  if (decision.findings.some((finding) => finding.check === 'malicious' && finding.severity === 'deny')) {
    return 'known-malicious versions cannot be allowed; pick another version';
  }
  const wayOut = vulnerabilityWayOut(decision.findings.filter((finding) => finding.severity === 'deny'));
  if (wayOut !== null) return wayOut;
  const allow = `add to "allow:" in depfence.yaml: { ecosystem: ${decision.ecosystem}, name: ${decision.name}, reason: "why it is safe" }`;
  if (decision.findings.every((finding) => finding.severity !== 'deny' || finding.evidence.unavailable === true)) {
    return `depfence could not get the facts it needs: check the network and the upstreams in your config, then retry; or, to allow it without them, ${allow}`;
  }
  const denials = decision.findings.filter((finding) => finding.severity === 'deny');
  if (denials.every((finding) => typeof finding.evidence.allowedFrom === 'string')) {
    return 'held back only by the age gate: wait until the date above, or move lockfile and requirements pins to the versions allowed now with depfence pin --file FILE';
  }
  return `to allow it, ${allow}`;
}
