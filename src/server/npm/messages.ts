// The sentences npm shows its user (npm prints `error` of a 4xx/5xx JSON body after the status).
import { vulnerabilityWayOut, type Decision, type Finding } from '../../policy/index.js';

export function denials(decision: Decision): Finding[] {
  return decision.findings.filter((finding) => finding.severity === 'deny');
}

/** "loadsh is blocked: typosquat: … (to allow it, …)". */
export function refusalMessage(decision: Decision, what = decision.name): string {
  const reasons = denials(decision).map((finding) => `${finding.check}: ${finding.message}`);
  return `${what} is blocked: ${reasons.join('; ')} (${howToAllow(decision)})`;
}

/** For a name the registry does not have: the exists finding says it all. */
export function notFoundMessage(decision: Decision): string {
  return denials(decision)
    .map((finding) => finding.message)
    .join('; ');
}

export function unavailableMessage(decision: Decision): string {
  const reasons = denials(decision).map((finding) => finding.message);
  return `${decision.name} cannot be checked right now, so it is refused: ${reasons.join('; ')} (check the network and upstreams.npm in depfence.yaml, then retry; or, ${allowEntry(decision)})`;
}

export function hiddenVersionMessage(name: string, version: string, findings: readonly Finding[], mode: 'enforce' | 'report'): string {
  const reasons = findings.map((finding) => `${finding.check}: ${finding.message}`).join('; ');
  const malicious = findings.some((finding) => finding.check === 'malicious');
  const fix = malicious
    ? 'known-malicious versions cannot be allowed; pick another version'
    : (vulnerabilityWayOut(findings) ?? `to allow it, add an "allow:" entry for ${name} with versions: "${version}" to depfence.yaml`);
  return `${name}@${version} is ${mode === 'enforce' ? 'hidden' : 'would be hidden'}: ${reasons} (${fix})`;
}

function howToAllow(decision: Decision): string {
  const deny = denials(decision);
  if (deny.some((finding) => finding.check === 'malicious')) return 'known-malicious packages cannot be allowed';
  if (deny.some((finding) => finding.check === 'confusion'))
    return 'serve it from your internal registry (upstreams.npm.internal), or remove the name from policy.confusion.npm';
  const wayOut = vulnerabilityWayOut(deny);
  if (wayOut !== null) return wayOut;
  return allowEntry(decision);
}

function allowEntry(decision: Decision): string {
  return `to allow it, add to "allow:" in depfence.yaml: { ecosystem: npm, name: ${decision.name}, reason: "why it is safe" }`;
}
