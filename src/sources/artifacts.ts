// Artifacts (wheels, sdists, `.metadata` files, model files, npm tarballs) fetched from an upstream,
// verified against the sha256 the index gave (or, for a small file of a Hugging Face repo, its git
// blob id; for an npm tarball, the digests its packument gives), and kept in a content-addressed cache (cacache) under that digest. A download is written to a
// private temporary file while it is hashed; only when the digest and size match, and the caller's
// `vet` has passed, is it put into the cache, so a byte of a bad download is never served or kept.
//
// Streaming GETs (download.ts) with the same settings and retry policy as the metadata client, and
// a concurrency limit on requests in flight upstream: a slot is held for each attempt only, never
// while a retry waits nor while a download is vetted and written to the cache (local work that,
// under load, took several times as long as the fetch and left cold requests queued behind it).
// The redirect targets are checked by the caller's `allowUrl` as the first URL is.

import { createReadStream, readdirSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type cacache from 'cacache';
import pLimit from 'p-limit';
import ssri, { type IntegrityMap } from 'ssri';
import { downloadToFile } from './download.js';
import { loadCacache } from './load-cacache.js';
import type { NetworkSettings } from './upstream.js';
import { ArtifactError, type UpstreamLabel } from './upstream-error.js';
import { processIsAlive } from './process-alive.js';

export { ArtifactError, type ArtifactErrorCode } from './upstream-error.js';

export interface ArtifactRequest {
  url: string;
  /** The lowercase hex sha256 the index gave for the file; null when only `gitBlob` is known. */
  sha256: string | null;
  /** The file's git blob id (sha1 of `blob <size>\0<content>`): checked when there is no sha256; needs `size`. */
  gitBlob?: string;
  /** The digests a registry gives in its own form (npm's dist.integrity): checked when there is no sha256. */
  registryDigest?: RegistryDigest;
  /** The size the index gave, if any: more bytes than this are refused. */
  size: number | null;
  upstream: UpstreamLabel;
  /** Checked for the URL and every redirect target; false refuses the fetch. */
  allowUrl: (url: URL) => boolean;
  /** Inspects a verified download before it is cached; throwing refuses it (it is then neither cached nor served). */
  vet?: (file: string) => Promise<void>;
  /** An Authorization header for the URL's origin only (not sent on to redirect targets elsewhere). */
  authorization?: string;
}

export interface RegistryDigest {
  /** Names the cache entry: the registry's digest as it wrote it (e.g. `sha512-…`). */
  id: string;
  /** The digest algorithms to compute while the file streams in. */
  algorithms: string[];
  /** Null when the computed digests match; otherwise the message that refuses the file. */
  refusal(digests: ReadonlyMap<string, Buffer>): string | null;
}

export interface StoredArtifact {
  /** The cached file (read it, never write it). */
  path: string;
  size: number;
  sha256: string;
  /** true: it was already in the cache; false: fetched just now. */
  fromCache: boolean;
}

export interface ArtifactStore {
  /** The artifact from the cache, or fetched, verified and cached first. Errors: UpstreamError, ArtifactError. */
  ensure(request: ArtifactRequest): Promise<StoredArtifact>;
  /** The artifact if it is cached, without fetching. */
  lookup(sha256: string): Promise<StoredArtifact | null>;
}

export interface ArtifactStoreOptions extends Pick<NetworkSettings, 'timeoutMs' | 'retries' | 'concurrency'> {
  cacheDir: string;
  /** Refuse downloads of unknown size larger than this. Default 8 GiB. */
  maxUnknownSizeBytes?: number;
  retryDelayMs?: number;
}

export function createArtifactStore(options: ArtifactStoreOptions): ArtifactStore {
  removeOrphanedDownloads(options.cacheDir);
  const limit = pLimit(Math.max(1, options.concurrency));
  const inFlight = new Map<string, Promise<StoredArtifact>>();
  const maxUnknown = options.maxUnknownSizeBytes ?? 8 * 1024 ** 3;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const keyOf = (sha256: string) => `depfence:artifact:sha256:${sha256}`;
  const requestKey = (request: ArtifactRequest) => {
    if (request.sha256 !== null) return keyOf(request.sha256);
    if (request.registryDigest) return `depfence:artifact:registry:${request.registryDigest.id}`;
    return `depfence:artifact:git-blob:${request.gitBlob}`;
  };

  async function lookupKey(key: string, sha256: string | null): Promise<StoredArtifact | null> {
    const cache = await loadCacache();
    const info = await cache.get.info(options.cacheDir, key).catch(() => null);
    const digest = sha256 ?? sha256OfIntegrity(info?.integrity);
    if (!info || digest === null || !(ssri.parse(info.integrity) as IntegrityMap | null)?.match(integrityOf(digest))) return null;
    const stats = await stat(info.path).catch(() => null);
    if (!stats?.isFile()) return null;
    return { path: info.path, size: stats.size, sha256: digest, fromCache: true };
  }

  const lookup = (sha256: string) => lookupKey(keyOf(sha256), sha256);

  async function download(request: ArtifactRequest): Promise<StoredArtifact> {
    const cache = await loadCacache();
    await withTmp(cache, options.cacheDir, { tmpPrefix: `${TMP_PREFIX}${process.pid}-` }, async (dir) => {
      const file = join(dir, 'download');
      const sha256 = await fetchToFile(request, file);
      await request.vet?.(file);
      await pipeline(
        createReadStream(file),
        cache.put.stream(options.cacheDir, requestKey(request), {
          integrity: integrityOf(sha256),
          algorithms: ['sha256'],
          metadata: { url: request.url },
        }),
      );
    });
    const stored = await lookupKey(requestKey(request), request.sha256);
    if (!stored)
      throw new ArtifactError(
        'EARTIFACT_INTEGRITY',
        request.url,
        `the file from ${request.url} could not be stored in the cache at ${options.cacheDir}`,
      );
    return { ...stored, fromCache: false };
  }

  /** Downloads to `file`, checking the digest the request names; returns the file's sha256. */
  async function fetchToFile(request: ArtifactRequest, file: string): Promise<string> {
    if (request.sha256 === null && !request.registryDigest && (request.gitBlob === undefined || request.size === null)) {
      throw new ArtifactError(
        'EARTIFACT_INTEGRITY',
        request.url,
        `${request.url} has neither a sha256, a registry digest nor a git blob id and size to check it against, so it is not fetched`,
      );
    }
    const gitBlob = request.sha256 === null && !request.registryDigest;
    const downloaded = await downloadToFile(
      {
        url: request.url,
        upstream: request.upstream,
        allowUrl: request.allowUrl,
        ...(request.authorization && { authorization: request.authorization }),
        maxBytes: request.size ?? maxUnknown,
        tooLarge: () =>
          new ArtifactError(
            'EARTIFACT_SIZE',
            request.url,
            request.size === null
              ? `the file at ${request.url} is larger than ${maxUnknown} bytes and the index gave no size`
              : `the file at ${request.url} is larger than the ${request.size} bytes the index gave`,
          ),
        digests: [
          'sha256',
          ...(gitBlob ? [{ name: 'git-blob', algorithm: 'sha1', prefix: `blob ${request.size}\0` }] : []),
          ...(request.sha256 === null ? (request.registryDigest?.algorithms.filter((algorithm) => algorithm !== 'sha256') ?? []) : []),
        ],
      },
      file,
      { timeoutMs: options.timeoutMs, retries: options.retries, retryDelayMs, slot: limit },
    );
    const digest = downloaded.digests.get('sha256')!.toString('hex');
    const refusal = request.sha256 === null ? request.registryDigest?.refusal(downloaded.digests) : null;
    if (refusal) throw new ArtifactError('EARTIFACT_INTEGRITY', request.url, refusal);
    if (gitBlob) {
      const blob = downloaded.digests.get('git-blob')!.toString('hex');
      if (blob !== request.gitBlob) {
        throw new ArtifactError(
          'EARTIFACT_INTEGRITY',
          request.url,
          `the file at ${request.url} has git blob id ${blob}, but the listing gives ${request.gitBlob}: it was changed in transit or on the upstream, so it is refused`,
        );
      }
    } else if (request.sha256 !== null && digest !== request.sha256) {
      throw new ArtifactError(
        'EARTIFACT_INTEGRITY',
        request.url,
        `the file at ${request.url} has sha256 ${digest}, but the index lists ${request.sha256}: it was changed in transit or on the upstream, so it is refused`,
      );
    }
    if (request.size !== null && downloaded.size !== request.size) {
      throw new ArtifactError(
        'EARTIFACT_SIZE',
        request.url,
        `the file at ${request.url} is ${downloaded.size} bytes, but the index lists ${request.size}`,
      );
    }
    return digest;
  }

  return {
    lookup,
    ensure(request) {
      const key = requestKey(request);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = lookupKey(key, request.sha256)
          .then((cached) => cached ?? download(request))
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}

/** Downloads in progress live in `<cache>/tmp/depfence-<pid>-…/`, so a new store can tell whose they are. */
const TMP_PREFIX = 'depfence-';

/** cacache's tmp.withTmp as it behaves: it returns the callback's promise and removes the folder once that settles (its types say void). */
function withTmp(
  cache: typeof cacache,
  cachePath: string,
  options: cacache.tmp.Options & { tmpPrefix: string },
  callback: (dir: string) => Promise<void>,
): Promise<void> {
  return (cache.tmp.withTmp as unknown as (path: string, opts: typeof options, run: typeof callback) => Promise<void>)(
    cachePath,
    options,
    callback,
  );
}

/**
 * A process killed mid-download (SIGKILL, power loss) leaves its partial file in the cache's tmp
 * folder. It was never an entry, so it is never served, but it is removed here, at start, along
 * with any other dead process's; a live process's downloads are left alone.
 */
function removeOrphanedDownloads(cacheDir: string): void {
  const tmp = join(cacheDir, 'tmp');
  let names: string[];
  try {
    names = readdirSync(tmp);
  } catch {
    return; // no tmp folder yet
  }
  for (const name of names) {
    const pid = Number(new RegExp(`^${TMP_PREFIX}(\\d+)-`).exec(name)?.[1] ?? NaN);
    if (Number.isNaN(pid) || (pid !== process.pid && processIsAlive(pid))) continue;
    rmSync(join(tmp, name), { recursive: true, force: true });
  }
}

/** The hex sha256 in a cacache integrity string, or null. */
function sha256OfIntegrity(integrity: string | undefined): string | null {
  const parsed = integrity ? (ssri.parse(integrity) as IntegrityMap | null) : null;
  const base64 = parsed?.sha256?.[0]?.digest;
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : null;
}

/** Hex sha256 → the Subresource Integrity string cacache keys content by. */
export function integrityOf(sha256: string): string {
  return ssri.fromHex(sha256, 'sha256').toString();
}
