// One audit line for a decision a request led to, in the shape both ecosystems share.
import type { IncomingMessage } from 'node:http';
import type { Decision, DecisionEcosystem } from '../policy/index.js';
import type { ServerContext } from './context.js';
import { clientFromUserAgent } from './audit.js';

export function recordRequestDecision(
  context: ServerContext,
  req: IncomingMessage,
  decision: Decision<DecisionEcosystem>,
  subject: string,
): void {
  context.audit.record({
    ...decision,
    time: context.now().toISOString(),
    client: clientFromUserAgent(req.headers['user-agent']),
    subject,
    mode: context.config.mode,
  });
}
