// Conditional GETs: answer 304 when the client already holds the representation with this ETag.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** If-None-Match against an ETag (weak comparison, as for GET). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === bare || tag === '*';
  });
}

/** Sends 304 with `headers` and returns true when the request's If-None-Match matches `etag`. */
export function answeredNotModified(req: IncomingMessage, res: ServerResponse, etag: string, headers: Record<string, string>): boolean {
  if (!matchesEtag(req.headers['if-none-match'], etag)) return false;
  res.writeHead(304, headers);
  res.end();
  return true;
}
