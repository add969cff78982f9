// The one HTTP client every upstream request goes through (got): a per-request timeout, the one
// retry policy (upstream.ts: network errors, 5xx and 429, never other 4xx), a concurrency limit (p-limit,
// a slot per attempt, so the wait before a retry holds none),
// an on-disk cache (cacache) with a TTL and a stale-if-error window, a response size limit (counted
// after decompression) and a JSON nesting limit, and
// errors as data (UpstreamError with a code). A 404 is an answer ("no such package"), not an error.
//
// Cache rule: an entry younger than its TTL is served without asking; an older one is revalidated
// (If-None-Match / If-Modified-Since from the stored answer: a 304 renews it without a download);
// if the refresh fails, the old entry may stand in until TTL + staleIfError, never beyond. 404s are
// cached too, for a shorter TTL. Only successfully decoded answers are cached. The most recent
// entries are also held in memory (memory-cache.ts, byte-bounded), and an answer is written to disk
// behind the caller's back: the caller never waits for the disk, and the next read of the same
// document, in this process, does not touch it. Shutdown waits for those writes (`settled`).
//
// Large files (the threat-data feeds) stream to disk through `download`: the same limiter,
// timeouts (per phase: an export takes minutes to arrive), bounded retries and error mapping, a
// size cap, no cache, and a conditional request when the caller has the last copy's ETag.
//
// Origin pinning: a redirect is followed only on the origin of the URL asked for; a redirect to any
// other host (another port of this machine, a link-local address, a public host) is refused.
// Artifacts (tarballs, wheels) stream through download.ts with the same rules.

import pLimit from 'p-limit';
import { streamDownload } from './download.js';
import { loadCacache } from './load-cacache.js';
import { MemoryCache } from './memory-cache.js';
import { loadGot, redirectGuard, sameOrigin, USER_AGENT, withRetries, type NetworkSettings, type RetrySettings } from './upstream.js';
import { DEFAULT_LABEL, malformedError, offOriginRedirect, tooLargeError, UpstreamError, type UpstreamLabel } from './upstream-error.js';

export { UpstreamError, type UpstreamLabel, type NetworkSettings };

export interface HttpClientOptions extends NetworkSettings {
  /** cacache directory; null: no cache. */
  cacheDir: string | null;
  /** Bytes of recent answers held in memory in front of the cache directory. Default 32 MiB. */
  memoryCacheBytes?: number;
  /** TTL of cached 404s (capped by the TTL of the request). Default 60 s. */
  notFoundTtlMs?: number;
  /** First retry delay, doubled each retry (capped at 2 s). Default 200 ms. */
  retryDelayMs?: number;
}

export interface GetOptions {
  accept?: string;
  /** An Authorization header for this upstream (redirects are followed on its origin only, so it goes nowhere else). */
  authorization?: string;
  /** Overrides the client's cacheTtlMs for this request. */
  ttlMs?: number;
  upstream?: UpstreamLabel;
  /**
   * The upstream is known to be failing (the caller's breaker is open): nothing is sent, and the
   * cache answers as it does after a request that failed with this error (a fresh entry, else a
   * stale one within staleIfError), or the error is thrown.
   */
  knownFailure?: UpstreamError;
}

export interface GetJsonOptions<T> extends GetOptions {
  /** Check the parsed body and return it typed; throw (any Error) to reject it as malformed. */
  validate?: (body: unknown) => T;
}

export interface GetTextOptions<T> extends GetOptions {
  /** Check the text and return it (or what it parses to); throw (any Error) to reject it as malformed. */
  validate?: (text: string) => T;
}

export interface HttpAnswer<T> {
  /** 404: the upstream says there is no such thing (body null). */
  status: 200 | 404;
  body: T | null;
  fromCache: boolean;
  /** Served from the cache past its TTL because the refresh failed. */
  stale: boolean;
}

export interface DownloadOptions {
  /** Refuse (EUPSTREAM_TOO_LARGE) past this many bytes. */
  maxBytes: number;
  /** The ETag of the copy the caller has: an unchanged file answers 304 and nothing is written. */
  ifNoneMatch?: string | null;
  upstream?: UpstreamLabel;
}

export interface Downloaded {
  /** 200: written to the file; 304: unchanged since `ifNoneMatch`; 404: no such file. */
  status: 200 | 304 | 404;
  etag: string | null;
  bytes: number;
}

export interface HttpClient {
  getJson<T = unknown>(url: string, options?: GetJsonOptions<T>): Promise<HttpAnswer<T>>;
  getText<T = string>(url: string, options?: GetTextOptions<T>): Promise<HttpAnswer<T>>;
  /** Streams a GET to `file` (created or replaced). Errors: UpstreamError. */
  download(url: string, file: string, options: DownloadOptions): Promise<Downloaded>;
  /** Resolves once every cache write begun so far has ended (before the cache directory is moved or removed). */
  settled(): Promise<void>;
}

interface Fetched {
  status: 200 | 404;
  data: Buffer;
  /** Validators of a 200, for the next revalidation. */
  etag?: string;
  lastModified?: string;
}

interface CacheMetadata {
  status: 200 | 404;
  storedAt: number;
  etag?: string;
  lastModified?: string;
}

type CacheEntry = Fetched & CacheMetadata;

/** The stored answer still stands (the upstream said 304 Not Modified). */
const NOT_MODIFIED = Symbol('not modified');

const CACHE_KEY_VERSION = 'depfence:http:v1';
const DEFAULT_MEMORY_CACHE_BYTES = 32 * 1024 * 1024;
/** What an entry costs besides its body (headers, the key, bookkeeping), roughly. */
const ENTRY_OVERHEAD_BYTES = 512;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const limit = pLimit(Math.max(1, options.concurrency));
  const inFlight = new Map<string, Promise<Fetched | typeof NOT_MODIFIED>>();
  const notFoundTtlMs = options.notFoundTtlMs ?? 60_000;
  const retry: RetrySettings = {
    retries: options.retries,
    timeoutMs: options.timeoutMs,
    ...(options.retryDelayMs !== undefined && { retryDelayMs: options.retryDelayMs }),
    slot: limit,
  };
  const memory = new MemoryCache<CacheEntry>(
    options.memoryCacheBytes ?? DEFAULT_MEMORY_CACHE_BYTES,
    (entry) => entry.data.length + ENTRY_OVERHEAD_BYTES,
  );
  /** Answers already stored (concurrent callers of one fetch get the same object: stored once). */
  const stored = new WeakSet<Fetched>();
  /** Cache writes still running: the caller never waits for them, but shutdown does. */
  const writing = new Set<Promise<void>>();

  async function lookup(key: string): Promise<CacheEntry | null> {
    if (options.cacheDir === null) return null;
    const remembered = memory.get(key);
    if (remembered) return remembered;
    const read = await readCache(options.cacheDir, key);
    // A fetch that ended while the disk was read has the newer answer (and is no longer in flight to join).
    const meanwhile = memory.get(key);
    if (meanwhile) return meanwhile;
    if (read) memory.set(key, read);
    return read;
  }

  function store(key: string, fetched: Fetched): void {
    if (options.cacheDir === null || stored.has(fetched)) return;
    stored.add(fetched);
    const { status, data, etag, lastModified } = fetched;
    const entry: CacheEntry = { status, data, storedAt: Date.now(), ...(etag && { etag }), ...(lastModified && { lastModified }) };
    memory.set(key, entry);
    const write = writeCache(options.cacheDir, key, entry).finally(() => writing.delete(write));
    writing.add(write);
  }

  async function get<T>(url: string, opts: GetOptions, decode: (data: Buffer) => T): Promise<HttpAnswer<T>> {
    const accept = opts.accept ?? '*/*';
    const label = opts.upstream ?? DEFAULT_LABEL;
    const ttl = opts.ttlMs ?? options.cacheTtlMs;
    const key = `${CACHE_KEY_VERSION} ${accept} ${url}`;
    const ttlOf = (status: 200 | 404) => (status === 404 ? Math.min(ttl, notFoundTtlMs) : ttl);
    const answer = (fetched: Fetched, fromCache: boolean, stale: boolean): HttpAnswer<T> => ({
      status: fetched.status,
      body: fetched.status === 404 ? null : decodeOrThrow(url, label, fetched.data, decode),
      fromCache,
      stale,
    });

    const cached = await lookup(key);
    const age = cached ? Date.now() - cached.storedAt : Infinity;
    if (cached && age < ttlOf(cached.status)) {
      try {
        return answer(cached, true, false);
      } catch {
        // An entry that no longer decodes (e.g. a stricter validator): ask again.
      }
    }
    try {
      if (opts.knownFailure) throw opts.knownFailure;
      const revalidate = cached?.status === 200 ? cached : null;
      const outcome = await fetchShared(url, accept, label, key, revalidate, opts.authorization);
      const fetched = outcome === NOT_MODIFIED ? revalidate! : outcome;
      const result = answer(fetched, outcome === NOT_MODIFIED, false);
      store(key, fetched);
      return result;
    } catch (error) {
      if (cached && error instanceof UpstreamError && age < ttlOf(cached.status) + options.staleIfErrorMs) {
        try {
          return answer(cached, true, true);
        } catch {
          // fall through to the refresh error
        }
      }
      throw error;
    }
  }

  /** One network fetch per URL and Accept at a time, shared by concurrent callers. */
  function fetchShared(
    url: string,
    accept: string,
    label: UpstreamLabel,
    key: string,
    revalidate: Fetched | null,
    authorization?: string,
  ): Promise<Fetched | typeof NOT_MODIFIED> {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = withRetries(retry, (attempt) => fetchOnce(url, accept, label, revalidate, attempt, authorization)).finally(() =>
        inFlight.delete(key),
      );
      inFlight.set(key, pending);
    }
    return pending;
  }

  async function fetchOnce(
    url: string,
    accept: string,
    label: UpstreamLabel,
    revalidate: Fetched | null,
    attempt: number,
    authorization?: string,
  ): Promise<Fetched | typeof NOT_MODIFIED> {
    // Set by the listeners below; the assertion keeps TypeScript from taking it for always false.
    let tooLarge = false as boolean;
    const conditional: Record<string, string> = {};
    if (revalidate?.etag) conditional['if-none-match'] = revalidate.etag;
    if (revalidate?.lastModified) conditional['if-modified-since'] = revalidate.lastModified;
    const allowed = sameOrigin(url);
    const { got, HTTPError, toUpstreamError } = await loadGot();
    const request = got(url, {
      headers: { accept, 'user-agent': USER_AGENT, ...conditional, ...(authorization && { authorization }) },
      hooks: redirectGuard((target) => (allowed(target) ? null : offOriginRedirect(url, label, target))),
      timeout: { request: options.timeoutMs },
      retry: { limit: 0 },
      responseType: 'buffer',
      throwHttpErrors: true,
    });
    const refuse = () => {
      tooLarge = true;
      request.cancel();
    };
    // on() returns the request itself, which is awaited below.
    void request.on('response', (response: { headers: Record<string, string | string[] | undefined> }) => {
      if (Number(response.headers['content-length'] ?? 0) > options.maxResponseBytes) refuse();
    });
    void request.on('downloadProgress', ({ transferred }: { transferred: number }) => {
      if (transferred > options.maxResponseBytes) refuse();
    });
    try {
      const response = await request;
      if (response.statusCode === 304 && revalidate) return NOT_MODIFIED;
      if (response.body.length > options.maxResponseBytes) throw tooLargeError(url, label, options.maxResponseBytes);
      const etag = header(response.headers.etag);
      const lastModified = header(response.headers['last-modified']);
      return { status: 200, data: response.body, ...(etag && { etag }), ...(lastModified && { lastModified }) };
    } catch (error) {
      if (error instanceof HTTPError && error.response.statusCode === 404) return { status: 404, data: Buffer.alloc(0) };
      throw tooLarge ? tooLargeError(url, label, options.maxResponseBytes) : toUpstreamError(error, url, label, options.timeoutMs, attempt);
    }
  }

  return {
    async download(url: string, file: string, opts: DownloadOptions) {
      const label = opts.upstream ?? DEFAULT_LABEL;
      const allowed = sameOrigin(url);
      const streamed = await streamDownload(
        {
          url,
          upstream: label,
          allowUrl: allowed,
          refusedUrl: (target) => offOriginRedirect(url, label, target),
          maxBytes: opts.maxBytes,
          tooLarge: () => tooLargeError(url, label, opts.maxBytes),
          ifNoneMatch: opts.ifNoneMatch ?? null,
        },
        file,
        retry,
      );
      return { status: streamed.status, etag: streamed.etag, bytes: streamed.size };
    },
    getJson<T = unknown>(url: string, opts: GetJsonOptions<T> = {}) {
      const validate = opts.validate ?? ((body: unknown) => body as T);
      return get(url, { accept: 'application/json', ...opts }, (data) => {
        if (nestedDeeperThan(data, MAX_JSON_DEPTH)) throw new Error(`its JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString('utf8'));
        } catch (error) {
          throw new Error(`not JSON: ${(error as Error).message}`);
        }
        return validate(parsed);
      });
    },
    getText<T = string>(url: string, opts: GetTextOptions<T> = {}) {
      const validate = opts.validate ?? ((text: string) => text as T);
      return get(url, opts, (data) => validate(data.toString('utf8')));
    },
    async settled() {
      while (writing.size > 0) await Promise.allSettled([...writing]);
    },
  };
}

/**
 * Real metadata nests a dozen levels at most. A document nested thousands deep parses, but then
 * overflows the stack of whatever walks it recursively (Verdaccio's storage writer does, and the
 * overflow escapes as an uncaught exception), so it is refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 512;

/** Do arrays and objects in this JSON text nest deeper than `limit`? (Brackets inside strings do not count.) */
export function nestedDeeperThan(data: Buffer, limit: number): boolean {
  return createDepthScanner(limit)(data);
}

/** The same for a text read in chunks: feed each chunk in order; true once the limit is passed. */
export function createDepthScanner(limit: number): (chunk: Buffer) => boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x5b || byte === 0x7b) {
        if (++depth > limit) return true;
      } else if (byte === 0x5d || byte === 0x7d) depth--;
    }
    return false;
  };
}

function decodeOrThrow<T>(url: string, label: UpstreamLabel, data: Buffer, decode: (data: Buffer) => T): T {
  try {
    return decode(data);
  } catch (error) {
    throw malformedError(url, label, error);
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readCache(dir: string, key: string): Promise<CacheEntry | null> {
  try {
    const entry = await (await loadCacache()).get(dir, key);
    const metadata = entry.metadata as Partial<Record<keyof CacheMetadata, unknown>> | undefined; // read from disk: checked here
    if (!metadata || (metadata.status !== 200 && metadata.status !== 404) || typeof metadata.storedAt !== 'number') return null;
    const validators = {
      ...(typeof metadata.etag === 'string' && { etag: metadata.etag }),
      ...(typeof metadata.lastModified === 'string' && { lastModified: metadata.lastModified }),
    };
    return { status: metadata.status, storedAt: metadata.storedAt, data: entry.data, ...validators };
  } catch {
    return null; // not cached, or an unreadable entry: same thing
  }
}

async function writeCache(dir: string, key: string, entry: CacheEntry): Promise<void> {
  const { data, ...metadata } = entry;
  try {
    await (await loadCacache()).put(dir, key, data, { metadata });
  } catch {
    // A cache that cannot be written costs speed, not correctness.
  }
}
