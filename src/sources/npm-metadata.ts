// npm packuments: fetch the full document (`Accept: application/json`: the abbreviated one has no
// `time`) and read publish times from it.

import { readPackument, parseTime, type Packument } from '../protocol/npm/packument.js';
import type { PublishTimes } from '../policy/types.js';
import type { HttpClient, UpstreamLabel } from './http.js';

export type NpmPackument = Packument;

export type NpmPackumentAnswer =
  | { found: false }
  | { found: true; packument: NpmPackument; unreadableVersions: Record<string, string>; fromCache: boolean; stale: boolean };

export const NPM_REGISTRY: UpstreamLabel = { name: 'npm registry', setting: 'upstreams.npm.registry' };

/** `{registry}{name}`, the scope's slash encoded as npm does (`@scope%2fname`). */
export function npmPackumentUrl(registryUrl: string, name: string): string {
  const base = registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`;
  const escaped = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1)).replace(/%2F/g, '%2f')}` : encodeURIComponent(name);
  return `${base}${escaped}`;
}

export async function fetchNpmPackument(http: HttpClient, registryUrl: string, name: string): Promise<NpmPackumentAnswer> {
  const answer = await http.getJson(npmPackumentUrl(registryUrl, name), {
    accept: 'application/json',
    upstream: NPM_REGISTRY,
    validate: readPackument,
  });
  if (answer.status === 404 || answer.body === null) return { found: false };
  const { packument, unreadableVersions } = answer.body;
  return { found: true, packument, unreadableVersions, fromCache: answer.fromCache, stale: answer.stale };
}

/** Each version's publish time (versions without a valid time are left out), the creation time, and the unreadable versions. */
export function npmPublishTimes(packument: NpmPackument, unreadableVersions: Readonly<Record<string, string>> = {}): PublishTimes {
  const versions = new Map<string, Date>();
  for (const version of Object.keys(packument.versions)) {
    const published = parseTime(packument.time[version]);
    if (published) versions.set(version, published);
  }
  const earliest = [...versions.values()].reduce<Date | null>((min, t) => (min === null || t < min ? t : min), null);
  return { created: parseTime(packument.time.created) ?? earliest, versions, unreadable: new Map(Object.entries(unreadableVersions)) };
}
