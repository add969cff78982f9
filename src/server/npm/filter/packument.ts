// The packument as Verdaccio hands it to a filter plugin: the full document (with `time`), plus
// Verdaccio's own bookkeeping (`_uplinks`, `_distfiles`, `_attachments`, `_rev`), which the filter
// keeps as it is except for the distfiles of hidden versions.

export interface VersionDist {
  tarball?: string;
  integrity?: string;
  shasum?: string;
  [key: string]: unknown;
}

export interface VersionManifest {
  version?: string;
  dist?: VersionDist;
  [key: string]: unknown;
}

export interface DistFile {
  url: string;
  sha?: string;
  [key: string]: unknown;
}

export interface Packument {
  name: string;
  versions: Record<string, VersionManifest>;
  'dist-tags': Record<string, string>;
  time?: Record<string, unknown>;
  _distfiles?: Record<string, DistFile>;
  [key: string]: unknown;
}

/**
 * Checks the document-level shape the filter relies on; anything else is an error (and the filter
 * fails closed). Versions are not checked here: one unreadable version is hidden on its own (see
 * unreadable-versions.ts), and its manifest is read defensively until then.
 */
export function asPackument(value: unknown): Packument {
  if (!isRecord(value)) throw new TypeError('the packument is not an object');
  if (typeof value.name !== 'string' || value.name === '') throw new TypeError('the packument has no name');
  if (!isRecord(value.versions)) throw new TypeError(`the packument of ${value.name} has no "versions" object`);
  const tags = value['dist-tags'] ?? {};
  if (!isRecord(tags)) throw new TypeError(`the "dist-tags" of ${value.name} is not an object`);
  if (value.time !== undefined && !isRecord(value.time)) throw new TypeError(`the "time" of ${value.name} is not an object`);
  return { ...value, 'dist-tags': tags } as Packument;
}

/** The publish time of `version`, or null when the packument gives none (or an unreadable one). */
export function publishTime(packument: Packument, version: string): Date | null {
  const value = packument.time?.[version];
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The file name a version's tarball is served under (`name-1.0.0.tgz`), from `dist.tarball`. */
export function tarballFilename(manifest: unknown): string | null {
  const url = isRecord(manifest) && isRecord(manifest.dist) ? manifest.dist.tarball : undefined;
  if (typeof url !== 'string') return null;
  const at = url.lastIndexOf('/');
  const file = url.slice(at + 1).split('?')[0] ?? '';
  return file === '' ? null : file;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
