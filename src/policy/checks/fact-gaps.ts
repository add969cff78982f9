// Findings for facts a check needed but could not have. `unavailable` fails closed (deny);
// `not-evaluated` (offline) is reported and decides nothing.
import type { CheckName, Fact, Finding } from '../types.js';

export function missingFactFinding(check: CheckName, fact: Exclude<Fact<unknown>, { state: 'known' }>, what: string): Finding {
  if (fact.state === 'unavailable') {
    return {
      check,
      severity: 'deny',
      message: `${what} could not be obtained, so depfence refuses rather than guess: ${fact.reason}`,
      evidence: { unavailable: true, fact: what, source: fact.source, reason: fact.reason },
    };
  }
  return {
    check,
    severity: 'info',
    message: `${what} not evaluated: ${fact.reason}`,
    evidence: { notEvaluated: true, fact: what, reason: fact.reason },
  };
}
