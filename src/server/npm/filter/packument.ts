// The packument as Verdaccio hands it to a filter plugin: the full document (with `time`), plus
// Verdaccio's own bookkeeping (`_uplinks`, `_distfiles`, `_attachments`, `_rev`), which the filter
// keeps as it is except for the distfiles of hidden versions.
import { isRecord } from '../../../protocol/npm/packument.js';

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
