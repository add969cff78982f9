// How the Hugging Face endpoint answers errors, in the shape the Hub's clients read:
// `{"error": "depfence: …"}` in the body (what @huggingface/hub's errors show), the message in
// `X-Error-Message` (what huggingface_hub prints) and, for a missing repo, revision or file, the
// Hub's `X-Error-Code`, so the clients raise their usual RepositoryNotFound / EntryNotFound errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DecisionEcosystem, Decision } from '../../policy/index.js';
import { reasonPhrase } from '../respond.js';

export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound';

export interface HubErrorOptions {
  code?: HubErrorCode;
  decision?: Decision<DecisionEcosystem>;
  headers?: Record<string, string>;
}

export function sendHubError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  options: HubErrorOptions = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = `depfence: ${message}`;
  const body = JSON.stringify({ error: text, ...(options.decision && { decision: options.decision }) });
  res.writeHead(status, reasonPhrase(text), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    'x-error-message': reasonPhrase(text),
    ...(options.code && { 'x-error-code': options.code }),
    ...options.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A refusal: the deciding findings, and how to allow the repo (or why it cannot be). */
export function refusalMessage(decision: Decision<'huggingface'>, subject: string): string {
  const denials = decision.findings.filter((finding) => finding.severity === 'deny');
  const reasons = denials.map((finding) => finding.message).join('; ') || 'denied by policy';
  return `${subject} is blocked: ${reasons}. ${howToAllowModel(decision)}`;
}

function howToAllowModel(decision: Decision<'huggingface'>): string {
  const denials = decision.findings.filter((finding) => finding.severity === 'deny');
  if (denials.some((finding) => finding.check === 'integrity'))
    return 'A file whose bytes do not match its hash is never served; report it to the repo owner.';
  if (denials.some((finding) => finding.check === 'lock'))
    return 'Update the lock with depfence models lock (after reviewing the change) to serve it.';
  if (denials.every((finding) => finding.evidence.unavailable === true))
    return 'depfence could not reach the Hub: check the network and upstreams.huggingface.endpoint, then retry.';
  const pickle = denials.some((finding) => finding.check === 'pickle') ? " (or prefer the repo's .safetensors weights)" : '';
  const id = decision.name.replace(/^datasets\//, '');
  return `To allow it, add to "allow:" in depfence.yaml: { ecosystem: huggingface, name: ${id}, reason: "why it is safe" }${pickle}`;
}
