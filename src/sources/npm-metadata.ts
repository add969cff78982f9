// npm packuments: fetch the full document (`Accept: application/json`: the abbreviated one has no
// `time`) and read publish times from it.

import { z } from 'zod';
import type { PublishTimes } from '../policy/types.js';
import type { HttpClient, UpstreamLabel } from './http.js';
import { validator } from './validate.js';

const versionSchema = z.looseObject({
  version: z.string().optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
  dist: z.looseObject({ tarball: z.string().optional(), integrity: z.string().optional(), shasum: z.string().optional() }).optional(),
});

const packumentSchema = z
  .looseObject({
    name: z.string(),
    'dist-tags': z.record(z.string(), z.string()).default({}),
    /** Absent only from the document of a package whose every version was unpublished. */
    versions: z.record(z.string(), versionSchema).optional(),
    /** Version → ISO time, plus `created`, `modified` and (after an unpublish) `unpublished: {…}`. */
    time: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((doc) => doc.versions !== undefined || typeof doc.time.unpublished === 'object', {
    message: 'no "versions" (and not an unpublished package)',
    path: ['versions'],
  })
  .transform((doc) => ({ ...doc, versions: doc.versions ?? {} }));

export type NpmPackument = z.output<typeof packumentSchema>;
export type NpmVersionManifest = z.output<typeof versionSchema>;

export type NpmPackumentAnswer = { found: false } | { found: true; packument: NpmPackument; fromCache: boolean; stale: boolean };

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
    validate: validator(packumentSchema),
  });
  if (answer.status === 404 || answer.body === null) return { found: false };
  return { found: true, packument: answer.body, fromCache: answer.fromCache, stale: answer.stale };
}

/** Each version's publish time (versions without a valid time are left out) and the creation time. */
export function npmPublishTimes(packument: NpmPackument): PublishTimes {
  const versions = new Map<string, Date>();
  for (const version of Object.keys(packument.versions)) {
    const published = parseTime(packument.time[version]);
    if (published) versions.set(version, published);
  }
  const earliest = [...versions.values()].reduce<Date | null>((min, t) => (min === null || t < min ? t : min), null);
  return { created: parseTime(packument.time.created) ?? earliest, versions };
}

function parseTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
