// Conditional GETs, read with fresh (as Express reads them): answer 304 when the client already
// holds the representation with this ETag.
import type { IncomingMessage, ServerResponse } from 'node:http';
import fresh from 'fresh';

/** If-None-Match against an ETag (weak comparison, as for GET; `*` matches). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  return fresh({ 'if-none-match': header }, { etag });
}

/**
 * Sends 304 with `headers` and returns true when the client's copy is fresh: its If-None-Match
 * matches `etag` (a `Cache-Control: no-cache` request always gets the full answer).
 */
export function answeredNotModified(req: IncomingMessage, res: ServerResponse, etag: string, headers: Record<string, string>): boolean {
  if (!fresh(req.headers, { etag })) return false;
  res.writeHead(304, headers);
  res.end();
  return true;
}
