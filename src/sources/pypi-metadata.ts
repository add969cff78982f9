// PyPI's JSON API (`GET {json}{project}/json`): every release's files and their upload times.
// A version's time is its earliest file upload; the project's creation is the earliest of all.
// (Age is per file on PyPI, see DESIGN.md; the per-file times stay in `releases`.)

import { z } from 'zod';
import { normalizePypiName } from '../names/index.js';
import type { PublishTimes } from '../policy/types.js';
import type { HttpClient, UpstreamLabel } from './http.js';
import { validator } from './validate.js';

// Lenient where depfence does not depend on a value: a field in an unexpected form reads as absent
// (a file without a readable upload time has no age, so it is never allowed on age), and a file
// entry without a filename is skipped. Unknown keys pass through.
const fileSchema = z.looseObject({
  filename: z.string(),
  url: z.string().optional().catch(undefined),
  upload_time_iso_8601: z.string().nullish().catch(null),
  digests: z.looseObject({ sha256: z.string().optional().catch(undefined) }).default({}).catch({}),
  size: z.number().optional().catch(undefined),
  yanked: z.union([z.boolean(), z.string()]).optional().catch(undefined),
  requires_python: z.string().nullish().catch(null),
  packagetype: z.string().optional().catch(undefined),
});

const releaseSchema = z.array(z.unknown()).catch([]).transform((files) =>
  files.flatMap((file) => {
    const parsed = fileSchema.safeParse(file);
    return parsed.success ? [parsed.data] : [];
  }),
);

const projectSchema = z.looseObject({
  info: z.looseObject({ name: z.string().optional().catch(undefined) }).catch({}),
  releases: z.record(z.string(), releaseSchema),
});

export type PypiFile = z.output<typeof fileSchema>;
export type PypiReleases = Record<string, PypiFile[]>;

export type PypiProjectAnswer =
  | { found: false }
  | { found: true; name: string; releases: PypiReleases; fromCache: boolean; stale: boolean };

export const PYPI_JSON_API: UpstreamLabel = { name: 'PyPI JSON API', setting: 'upstreams.pypi.json' };

/** `{json}{normalised name}/json` */
export function pypiProjectUrl(jsonUrl: string, name: string): string {
  const base = jsonUrl.endsWith('/') ? jsonUrl : `${jsonUrl}/`;
  return `${base}${encodeURIComponent(normalizePypiName(name))}/json`;
}

export async function fetchPypiProject(http: HttpClient, jsonUrl: string, name: string): Promise<PypiProjectAnswer> {
  const answer = await http.getJson(pypiProjectUrl(jsonUrl, name), {
    accept: 'application/json',
    upstream: PYPI_JSON_API,
    validate: validator(projectSchema),
  });
  if (answer.status === 404 || answer.body === null) return { found: false };
  return { found: true, name: answer.body.info.name ?? name, releases: answer.body.releases, fromCache: answer.fromCache, stale: answer.stale };
}

export function pypiPublishTimes(releases: PypiReleases): PublishTimes {
  const versions = new Map<string, Date>();
  for (const [version, files] of Object.entries(releases)) {
    const earliest = earliestOf(files.map((file) => parseTime(file.upload_time_iso_8601)));
    if (earliest) versions.set(version, earliest);
  }
  return { created: earliestOf([...versions.values()]), versions };
}

function earliestOf(dates: (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((min, t) => (t !== null && (min === null || t < min) ? t : min), null);
}

function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
