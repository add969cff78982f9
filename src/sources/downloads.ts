// Live download counts for the last month: the npm downloads API and pypistats. Both answer 404 for
// a name they have no record of; that is read as 0 downloads (the cautious reading for a
// download floor), and the source says so.

import { z } from 'zod';
import { normalizePypiName } from '../names/index.js';
import type { DownloadCount } from '../policy/types.js';
import type { HttpAnswer, HttpClient, UpstreamError, UpstreamLabel } from './http.js';
import { validator } from './validate.js';

export interface LiveDownloads {
  count: DownloadCount;
  /** Where the number comes from, for the decision's evidence. */
  source: string;
}

export interface DownloadsOptions {
  /** Cache TTL for counts (they change once a day); default: the client's TTL. */
  ttlMs?: number;
  /** The API is known to be failing: only the cache is read (see GetOptions.knownFailure). */
  knownFailure?: UpstreamError;
}

export const NPM_DOWNLOADS: UpstreamLabel = { name: 'npm downloads API', setting: 'upstreams.npm.downloads' };
export const PYPISTATS: UpstreamLabel = { name: 'pypistats', setting: 'upstreams.pypi.downloads' };

const npmPointSchema = z.looseObject({ downloads: z.number().int().nonnegative() });
const pypistatsRecentSchema = z.looseObject({ data: z.looseObject({ last_month: z.number().int().nonnegative() }) });

/** `GET {downloads}point/last-month/{name}` (scoped names keep their slash, as the API expects). */
export async function fetchNpmDownloads(
  http: HttpClient,
  downloadsUrl: string,
  name: string,
  options: DownloadsOptions = {},
): Promise<LiveDownloads> {
  const path = name.split('/').map(encodeURIComponent).join('/').replace(/^%40/, '@');
  const url = `${withSlash(downloadsUrl)}point/last-month/${path}`;
  const answer = await http.getJson(url, { upstream: NPM_DOWNLOADS, validate: validator(npmPointSchema), ...cacheOptions(options) });
  return describe(answer, (body) => body.downloads, 'npm downloads API, last month');
}

/** `GET {downloads}packages/{PEP 503 name}/recent` → `data.last_month`. */
export async function fetchPypiDownloads(
  http: HttpClient,
  downloadsUrl: string,
  name: string,
  options: DownloadsOptions = {},
): Promise<LiveDownloads> {
  const url = `${withSlash(downloadsUrl)}packages/${encodeURIComponent(normalizePypiName(name))}/recent`;
  const answer = await http.getJson(url, { upstream: PYPISTATS, validate: validator(pypistatsRecentSchema), ...cacheOptions(options) });
  return describe(answer, (body) => body.data.last_month, 'pypistats, last month');
}

function describe<T>(answer: HttpAnswer<T>, read: (body: T) => number, what: string): LiveDownloads {
  const stale = answer.stale ? ' (cached copy: the API failed to answer just now)' : '';
  if (answer.status === 404 || answer.body === null)
    return { count: { exactly: 0 }, source: `${what}: no download record, counted as 0${stale}` };
  return { count: { exactly: read(answer.body) }, source: `${what}${stale}` };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function cacheOptions(options: DownloadsOptions): { ttlMs?: number; knownFailure?: UpstreamError } {
  return {
    ...(options.ttlMs !== undefined && { ttlMs: options.ttlMs }),
    ...(options.knownFailure && { knownFailure: options.knownFailure }),
  };
}
