// Reading a packument as real registries serve it. Only what depfence uses is validated: the
// document's name, its `versions` object and `time` map, and in each version the `dist` fields the
// server fetches and verifies by (`tarball`, `integrity`, `shasum`). A version whose used fields
// are unreadable is set aside with the reason (so only that version is hidden); everything else
// (legacy `dependencies` arrays, old `bin`/`engines`/`repository`/`maintainers`/`directories`
// forms, unknown keys) is passed through unchanged. Pure: no I/O.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';

export type VersionManifest = Record<string, unknown> & {
  version?: unknown;
  dist?: { tarball?: string; integrity?: string; shasum?: string; [key: string]: unknown };
};

export interface Packument {
  name: string;
  /** Tags that point at a version string; other entries are dropped. */
  'dist-tags': Record<string, string>;
  /** The versions whose used fields are readable. */
  versions: Record<string, VersionManifest>;
  /** Version → ISO time, plus `created`, `modified`, `unpublished`; `{}` when the registry gave none. */
  time: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ReadPackument {
  packument: Packument;
  /** Versions the registry lists whose used fields cannot be read, each with why. */
  unreadableVersions: Record<string, string>;
}

/** Thrown for a document that is not a packument at all (the whole answer is unusable). */
export class PackumentShapeError extends DepfenceError<'EPACKUMENT_SHAPE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EPACKUMENT_SHAPE', message, options);
  }
}

export function readPackument(document: unknown): ReadPackument {
  if (!isRecord(document)) throw new PackumentShapeError('the packument is not a JSON object');
  const { name } = document;
  if (typeof name !== 'string' || name === '') throw new PackumentShapeError('the packument has no "name"');
  const time = isRecord(document.time) ? document.time : {};
  if (document.versions === undefined && !isRecord(time.unpublished)) {
    throw new PackumentShapeError('the packument has no "versions" (and is not an unpublished package)');
  }
  if (document.versions !== undefined && !isRecord(document.versions))
    throw new PackumentShapeError('the packument\'s "versions" is not an object');
  // Built with fromEntries: a version key such as "__proto__" stays an own entry, never a prototype.
  const entries = Object.entries(document.versions ?? {}).map(
    ([version, manifest]) => [version, manifest, versionManifestProblem(manifest)] as const,
  );
  const versions: Record<string, VersionManifest> = Object.fromEntries(
    entries.filter(([, , problem]) => problem === null).map(([version, manifest]) => [version, manifest as VersionManifest]),
  );
  const unreadableVersions: Record<string, string> = Object.fromEntries(
    entries.flatMap(([version, , problem]) => (problem === null ? [] : [[version, problem]])),
  );
  return { packument: { ...document, name, 'dist-tags': stringEntries(document['dist-tags']), versions, time }, unreadableVersions };
}

/** Why a version's manifest cannot be used (null: it can). Only the fields depfence reads are checked. */
export function versionManifestProblem(manifest: unknown): string | null {
  if (!isRecord(manifest)) return 'its manifest is not an object';
  const { dist } = manifest;
  if (dist === undefined) return null;
  if (!isRecord(dist)) return 'its "dist" is not an object';
  for (const field of ['tarball', 'integrity', 'shasum'] as const) {
    if (dist[field] !== undefined && typeof dist[field] !== 'string') return `its dist.${field} is not a string`;
  }
  return null;
}

/** The publish time the packument gives `version`, or null when it gives none (or an unreadable one). */
export function versionTime(time: Readonly<Record<string, unknown>> | undefined, version: string): Date | null {
  return parseTime(time?.[version]);
}

export function parseTime(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A version's `dist.tarball`, read defensively (a packument's versions are upstream data). */
export function tarballUrl(manifest: unknown): string | null {
  const url = isRecord(manifest) && isRecord(manifest.dist) ? manifest.dist.tarball : undefined;
  return typeof url === 'string' ? url : null;
}

/** The file name a version's tarball is served under (`name-1.0.0.tgz`), from `dist.tarball`. */
export function tarballFilename(manifest: unknown): string | null {
  const url = tarballUrl(manifest);
  if (url === null) return null;
  const at = url.lastIndexOf('/');
  const file = url.slice(at + 1).split('?')[0] ?? '';
  return file === '' ? null : file;
}

function stringEntries(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
