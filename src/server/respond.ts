// Small response helpers shared by every route: JSON and text bodies, and error answers in the
// shapes clients print (npm shows `error`, pip logs the body of an HTML error page).
import type { ServerResponse } from 'node:http';
import { markRefusal } from './refusal-ledger.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The status of a refusal for facts depfence could not get (an upstream down, slow or refusing).
 * Never a 5xx: npm retries those with backoff (over a minute a request, one package after another),
 * pip and uv retry them too, and depfence has already retried the upstream itself
 * (network.retries). All three stop at a 403 and npm shows its reason.
 */
export const UNAVAILABLE_STATUS = 403;

/** An error any client can show: `{"error": "depfence: …"}` (npm prints `error` of a 4xx body). */
export function sendError(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 403) markRefusal(res, message, false);
  sendJson(res, status, { error: `depfence: ${message}`, ...extra });
}

/** A reason phrase must be visible ASCII and spaces; keep it to one readable line. */
export function reasonPhrase(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, (char) => (char === '\u2014' || char === '\u2013' ? '-' : /\p{M}/u.test(char) ? '' : '?'));
  return ascii.length > 400 ? `${ascii.slice(0, 397)}...` : ascii;
}

/** A refusal because facts could not be had: UNAVAILABLE_STATUS, saying so (`"unavailable": true`) in the body and to the shims' report. */
export function sendUnavailable(res: ServerResponse, message: string, extra: Record<string, unknown> = {}): void {
  markRefusal(res, message, true);
  sendError(res, UNAVAILABLE_STATUS, message, { ...extra, unavailable: true });
}
