// PyPI's JSON API (`GET {json}{project}/json`, read as protocol/pypi/json-api.ts describes it):
// every release's files and their upload times. A version's time is its earliest file upload; the
// project's creation is the earliest of all.
// (Age is per file on PyPI, see DESIGN.md; the per-file times stay in `releases`.)

import { pypiProjectSchema, pypiProjectUrl, type PypiReleases } from '../protocol/pypi/json-api.js';
import type { PublishTimes } from '../policy/types.js';
import type { HttpClient, UpstreamLabel } from './http.js';
import { validator } from './validate.js';

export type PypiProjectAnswer =
  { found: false } | { found: true; name: string; releases: PypiReleases; fromCache: boolean; stale: boolean };

export const PYPI_JSON_API: UpstreamLabel = { name: 'PyPI JSON API', setting: 'upstreams.pypi.json' };

export async function fetchPypiProject(http: HttpClient, jsonUrl: string, name: string): Promise<PypiProjectAnswer> {
  const answer = await http.getJson(pypiProjectUrl(jsonUrl, name), {
    accept: 'application/json',
    upstream: PYPI_JSON_API,
    validate: validator(pypiProjectSchema),
  });
  if (answer.status === 404 || answer.body === null) return { found: false };
  return {
    found: true,
    name: answer.body.info.name ?? name,
    releases: answer.body.releases,
    fromCache: answer.fromCache,
    stale: answer.stale,
  };
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
