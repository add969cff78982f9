// Serving a verified file from the artifact cache: conditional requests (If-None-Match read by
// fresh, If-Range), single byte ranges read by range-parser (for resumed downloads) and HEAD, with
// the caller's content type, ETag and extra headers. Shared by the PyPI file route and the Hugging Face resolve route.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredArtifact } from '../sources/artifacts.js';
import { answeredNotModified } from './conditional.js';
import { parseRange } from './ranges.js';

const FILE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export interface StoredFileHeaders {
  contentType: string;
  etag: string;
  /** More headers for every answer (200, 206, 304, 416). */
  extra?: Record<string, string>;
}

export function sendStoredFile(req: IncomingMessage, res: ServerResponse, stored: StoredArtifact, headers: StoredFileHeaders): void {
  const { etag } = headers;
  const base = {
    'content-type': headers.contentType,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': FILE_CACHE_CONTROL,
    ...headers.extra,
  };
  if (answeredNotModified(req, res, etag, base)) return;
  const ifRange = req.headers['if-range'];
  const range = ifRange !== undefined && ifRange !== etag ? { kind: 'whole' as const } : parseRange(req.headers.range, stored.size);
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'content-range': `bytes */${stored.size}`, 'content-length': '0' });
    res.end();
    return;
  }
  const [status, start, end] = range.kind === 'range' ? [206, range.start, range.end] : [200, 0, stored.size - 1];
  res.writeHead(status, {
    ...base,
    'content-length': String(stored.size === 0 ? 0 : end - start + 1),
    ...(range.kind === 'range' && { 'content-range': `bytes ${start}-${end}/${stored.size}` }),
  });
  if (req.method === 'HEAD' || stored.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(stored.path, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
