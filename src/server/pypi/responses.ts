// How the PyPI side answers: pages with the negotiated Content-Type, an ETag and `Vary: Accept`;
// refusals and errors in the client's format (JSON `{"error": "depfence: …", "decision": …}` for
// JSON clients, an HTML page for HTML clients) and always with the message in the HTTP reason
// phrase too, because that is the part of a failed response pip prints
// ("403 Client Error: depfence: … for url: …").
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deniedOnlyForMissingFacts, type Decision } from '../../policy/index.js';
import { markRefusal } from '../refusal-ledger.js';
import type { Representation } from '../../protocol/pypi/negotiate.js';
import { answeredNotModified } from '../conditional.js';
import { renderHtmlMessage } from '../../protocol/pypi/render.js';
import { reasonPhrase } from '../respond.js';

/** Project pages are decisions made now: clients revalidate every time (cheap, with the ETag). */
const PAGE_CACHE_CONTROL = 'max-age=0, must-revalidate';

export function sendPage(req: IncomingMessage, res: ServerResponse, representation: Representation, body: string): void {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  const headers = { 'content-type': representation.contentType, vary: 'Accept', etag, 'cache-control': PAGE_CACHE_CONTROL };
  if (answeredNotModified(req, res, etag, headers)) return;
  res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface ErrorOptions {
  /** The client's negotiated format; null: JSON. */
  representation?: Representation | null;
  decision?: Decision;
  headers?: Record<string, string>;
  /** A refusal because facts could not be had (also read from `decision` when given). */
  unavailable?: boolean;
}

export function sendPypiError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  options: ErrorOptions = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 403)
    markRefusal(
      res,
      message,
      options.unavailable === true || (options.decision !== undefined && deniedOnlyForMissingFacts(options.decision)),
    );
  const text = `depfence: ${message}`;
  const html = options.representation?.format === 'html';
  const body = html
    ? renderHtmlMessage(`${status} ${titleOf(status)}`, [text, ...reasonsOf(options.decision)])
    : JSON.stringify({ error: text, ...(options.decision && { decision: options.decision }) });
  const headers = {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...options.headers,
  };
  res.writeHead(status, reasonPhrase(text), headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The findings that decided, one line each, for HTML refusals. */
function reasonsOf(decision: Decision | undefined): string[] {
  if (!decision) return [];
  return decision.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.check}: ${finding.message}`);
}

function titleOf(status: number): string {
  return (
    {
      400: 'Bad Request',
      403: 'Forbidden',
      404: 'Not Found',
      406: 'Not Acceptable',
      416: 'Range Not Satisfiable',
      502: 'Bad Gateway',
      503: 'Service Unavailable',
    }[status] ?? 'Error'
  );
}

/** The message for a denied project: the deciding findings, joined. */
export function denialMessage(decision: Decision, subject: string): string {
  const reasons = decision.findings.filter((finding) => finding.severity === 'deny').map((finding) => finding.message);
  return `${subject} is blocked: ${reasons.join('; ') || 'denied by policy'}`;
}
