// One streaming GET of an artifact (a wheel, an sdist, an npm tarball) into a file of the caller's,
// hashed as it is written, so no artifact is ever held whole in memory. Redirect targets are checked
// by the caller's `allowUrl` as the first URL is; more than `maxBytes` is refused mid-stream; network
// errors, 5xx and 429 are retried (bounded). The caller compares the digests with what the index or
// packument promised, and only then keeps the file.
import { createHash, type Hash } from 'node:crypto';
import { streamToFile } from './stream-to-file.js';
import got, { HTTPError, RequestError, TimeoutError } from 'got';
import { UpstreamError, type NetworkSettings, type UpstreamLabel } from './http.js';

export type ArtifactErrorCode = 'EARTIFACT_INTEGRITY' | 'EARTIFACT_SIZE' | 'EARTIFACT_URL';

/** A download that arrived but is not the file the index described (or may not be fetched at all). */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  constructor(
    readonly code: ArtifactErrorCode,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DownloadRequest {
  url: string;
  upstream: UpstreamLabel;
  /** Checked for the URL and every redirect target; false refuses the fetch. */
  allowUrl(url: URL): boolean;
  /** More bytes than this are refused; `tooLarge` says why. */
  maxBytes: number;
  tooLarge: string;
  /** Digests to compute while writing: by algorithm (`sha256`, `sha512`, `sha1`…), or with a prefix hashed first (a git blob id). */
  digests: ReadonlyArray<string | DigestSpec>;
}

export interface DigestSpec {
  /** The key in `Downloaded.digests`. */
  name: string;
  algorithm: string;
  /** Hashed before the content (git blob ids hash `blob <size>\0` first). */
  prefix?: string;
}

export interface Downloaded {
  size: number;
  /** Each digest asked for, by name (or algorithm). */
  digests: Map<string, Buffer>;
}

export type DownloadSettings = Pick<NetworkSettings, 'timeoutMs' | 'retries'> & { retryDelayMs?: number; userAgent?: string };

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
export const DEFAULT_USER_AGENT = 'depfence (package firewall; +https://github.com/depfence/depfence)';

/** Downloads `request.url` into `file` (replacing it on a retry). Errors: UpstreamError, ArtifactError. */
export async function downloadToFile(request: DownloadRequest, file: string, settings: DownloadSettings): Promise<Downloaded> {
  const retryDelayMs = settings.retryDelayMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetchOnce(request, file, settings);
    } catch (error) {
      if (!retryable(error) || attempt >= settings.retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryDelayMs * 2 ** attempt, 2000)));
    }
  }
}

async function fetchOnce(request: DownloadRequest, file: string, settings: DownloadSettings): Promise<Downloaded> {
  const url = checkedUrl(request);
  const stream = got.stream(url, {
    headers: { 'user-agent': settings.userAgent ?? DEFAULT_USER_AGENT, accept: '*/*', 'accept-encoding': 'identity' },
    timeout: { lookup: settings.timeoutMs, connect: settings.timeoutMs, socket: settings.timeoutMs, response: settings.timeoutMs },
    retry: { limit: 0 },
    decompress: false,
    hooks: {
      beforeRedirect: [
        (redirected) => {
          const target = redirected.url instanceof URL ? redirected.url : new URL(String(redirected.url));
          if (!request.allowUrl(target)) {
            throw new ArtifactError('EARTIFACT_URL', request.url, `${request.upstream.name} redirected ${request.url} to ${target.href}, a host depfence does not fetch files from`);
          }
        },
      ],
    },
  });
  const hashes = new Map<string, Hash>(
    request.digests.map((spec) => {
      const { name, algorithm, prefix } = typeof spec === 'string' ? { name: spec, algorithm: spec, prefix: undefined } : spec;
      const hash = createHash(algorithm);
      if (prefix !== undefined) hash.update(prefix);
      return [name, hash];
    }),
  );
  let received: number;
  try {
    received = await streamToFile(stream, file, {
      maxBytes: request.maxBytes,
      tooLarge: () => new ArtifactError('EARTIFACT_SIZE', request.url, request.tooLarge),
      onChunk: (chunk) => {
        for (const hash of hashes.values()) hash.update(chunk);
      },
    });
  } catch (error) {
    throw toError(error, request, settings.timeoutMs);
  }
  return { size: received, digests: new Map([...hashes].map(([algorithm, hash]) => [algorithm, hash.digest()])) };
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

function toError(error: unknown, request: DownloadRequest, timeoutMs: number): Error {
  if (error instanceof ArtifactError || error instanceof UpstreamError) return error;
  const label = request.upstream;
  if (error instanceof RequestError && error.cause instanceof ArtifactError) return error.cause;
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    return new UpstreamError('EUPSTREAM_STATUS', request.url, `${label.name} answered HTTP ${status} for ${request.url}`, { status, cause: error });
  }
  if (error instanceof TimeoutError) {
    return new UpstreamError('EUPSTREAM_TIMEOUT', request.url, `${label.name} did not send ${request.url} within ${timeoutMs / 1000}s; check the network or ${label.setting}`, { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new UpstreamError('EUPSTREAM_UNREACHABLE', request.url, `${label.name} could not be reached for ${request.url} or broke off (${detail}); check the network or ${label.setting}`, { cause: error });
}

function retryable(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  if (error.code === 'EUPSTREAM_STATUS') return error.status !== undefined && RETRY_STATUS.has(error.status);
  return error.code === 'EUPSTREAM_TIMEOUT' || error.code === 'EUPSTREAM_UNREACHABLE';
}
