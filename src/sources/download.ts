// One streaming GET into a file of the caller's, hashed as it is written, so no artifact (a wheel,
// an sdist, an npm tarball) or feed export is ever held whole in memory. Redirect targets are
// checked by `allowUrl` as the first URL is; more than `maxBytes` is refused mid-stream; failures
// are retried by the one retry policy (upstream.ts). The caller compares the digests with what the
// index or packument promised, and only then keeps the file.
import { createHash, type Hash } from 'node:crypto';
import { streamToFile } from './stream-to-file.js';
import { loadGot, redirectGuard, USER_AGENT, withRetries, type RetrySettings } from './upstream.js';
import { ArtifactError, retryAfter, statusError, type UpstreamError, type UpstreamLabel } from './upstream-error.js';

export interface DownloadRequest {
  url: string;
  upstream: UpstreamLabel;
  /** Checked for the URL and every redirect target; false refuses the fetch. */
  allowUrl: (url: URL) => boolean;
  /** The error for a URL or redirect target `allowUrl` refuses. Default: ArtifactError EARTIFACT_URL. */
  refusedUrl?: (url: URL) => UpstreamError | ArtifactError;
  /** More bytes than this are refused with `tooLarge()`. */
  maxBytes: number;
  tooLarge: () => UpstreamError | ArtifactError;
  /** Digests to compute while writing: by algorithm (`sha256`, `sha512`, `sha1`…), or with a prefix hashed first (a git blob id). */
  digests?: readonly (string | DigestSpec)[];
  /** The ETag of the copy the caller has: an unchanged file answers 304 and nothing is written. */
  ifNoneMatch?: string | null;
  /** An Authorization header for the URL's origin (got drops it on a redirect to another origin). */
  authorization?: string;
}

export interface DigestSpec {
  /** The key in `Streamed.digests`. */
  name: string;
  algorithm: string;
  /** Hashed before the content (git blob ids hash `blob <size>\0` first). */
  prefix?: string;
}

export interface Streamed {
  /** 200: written to the file; 304: unchanged since `ifNoneMatch`; 404: no such file. */
  status: 200 | 304 | 404;
  etag: string | null;
  size: number;
  /** Each digest asked for, by name (or algorithm). */
  digests: Map<string, Buffer>;
}

export type Downloaded = Pick<Streamed, 'size' | 'digests'>;

export type DownloadSettings = RetrySettings;

/** Downloads `request.url` into `file`; a 404 is an error. Errors: UpstreamError, ArtifactError. */
export async function downloadToFile(request: DownloadRequest, file: string, settings: DownloadSettings): Promise<Downloaded> {
  const streamed = await streamDownload(request, file, settings);
  if (streamed.status !== 200) throw statusError(request.url, request.upstream, streamed.status, 1);
  return streamed;
}

/** Downloads `request.url` into `file` (replacing it on a retry); a 404 and a 304 are answers. */
export function streamDownload(request: DownloadRequest, file: string, settings: DownloadSettings): Promise<Streamed> {
  return withRetries(settings, (attempt) => streamOnce(request, file, settings, attempt));
}

async function streamOnce(request: DownloadRequest, file: string, settings: DownloadSettings, attempt: number): Promise<Streamed> {
  const refused = (url: URL) =>
    request.refusedUrl?.(url) ??
    new ArtifactError(
      'EARTIFACT_URL',
      request.url,
      `${request.upstream.name} redirected ${request.url} to ${url.href}, a host depfence does not fetch files from`,
    );
  const url = checkedUrl(request);
  const phase = settings.timeoutMs;
  const { got, toUpstreamError } = await loadGot();
  const stream = got.stream(url, {
    headers: {
      'user-agent': USER_AGENT,
      accept: '*/*',
      'accept-encoding': 'identity',
      ...(request.ifNoneMatch && { 'if-none-match': request.ifNoneMatch }),
      ...(request.authorization && { authorization: request.authorization }),
    },
    timeout: { lookup: phase, connect: phase, secureConnect: phase, socket: phase, response: phase },
    retry: { limit: 0 },
    decompress: false,
    throwHttpErrors: false,
    hooks: redirectGuard((target) => (request.allowUrl(target) ? null : refused(target))),
  });
  const hashes = new Map<string, Hash>(
    (request.digests ?? []).map((spec) => {
      const { name, algorithm, prefix } = typeof spec === 'string' ? { name: spec, algorithm: spec, prefix: undefined } : spec;
      const hash = createHash(algorithm);
      if (prefix !== undefined) hash.update(prefix);
      return [name, hash];
    }),
  );
  try {
    const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        stream.once('response', resolve);
        stream.once('error', reject);
      },
    );
    const etag = typeof response.headers.etag === 'string' ? response.headers.etag : null;
    if (response.statusCode === 404 || (response.statusCode === 304 && request.ifNoneMatch)) {
      stream.destroy();
      return { status: response.statusCode, etag, size: 0, digests: new Map() };
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      stream.destroy();
      throw statusError(request.url, request.upstream, response.statusCode, attempt, retryAfter(response.headers['retry-after']));
    }
    if (Number(response.headers['content-length'] ?? 0) > request.maxBytes) {
      stream.destroy();
      throw request.tooLarge();
    }
    const size = await streamToFile(stream, file, {
      maxBytes: request.maxBytes,
      tooLarge: request.tooLarge,
      onChunk: (chunk) => hashes.forEach((hash) => hash.update(chunk)),
    });
    return { status: 200, etag, size, digests: new Map([...hashes].map(([name, hash]) => [name, hash.digest()])) };
  } catch (error) {
    stream.destroy();
    throw toUpstreamError(error, request.url, request.upstream, settings.timeoutMs, attempt);
  }
}

function checkedUrl(request: DownloadRequest): URL {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new ArtifactError('EARTIFACT_URL', request.url, `"${request.url}" is not a URL`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !request.allowUrl(url)) {
    throw new ArtifactError('EARTIFACT_URL', request.url, `${request.url} is not on a host depfence fetches files from`);
  }
  return url;
}
