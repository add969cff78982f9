// Answering a package-level verdict that does not pass: 403 with the reasons, 404 for a name the
// registry does not have, 403 too when the facts could not be fetched (sendUnavailable: never a
// status npm retries). In report mode nothing is
// refused (the decision was logged by the caller).
import type { ServerResponse } from 'node:http';
import { sendError, sendUnavailable } from '../respond.js';
import type { NpmEnv } from './env.js';
import type { GateVerdict } from './gate.js';
import { notFoundMessage, refusalMessage, unavailableMessage } from './messages.js';

/** true when the response has been sent (the request is refused). */
export function refuseForVerdict(env: NpmEnv, res: ServerResponse, verdict: GateVerdict, what?: string): boolean {
  if (verdict.action === 'pass' || env.context.config.mode === 'report') return false;
  const { decision } = verdict;
  if (verdict.action === 'unavailable') sendUnavailable(res, unavailableMessage(decision), { decision });
  else if (verdict.action === 'not-found') sendError(res, 404, notFoundMessage(decision), { decision });
  else sendError(res, 403, refusalMessage(decision, what), { decision });
  return true;
}
