// The releases of a package as the history signals read them (policy/checks/history.ts), from the
// documents the firewall already has: the npm packument (full or abbreviated) and PyPI's JSON API.
// Registries are messy: a field of the wrong type is treated as absent, never as an error.
import type { ReleaseHistory, ReleaseRecord } from '../policy/types.js';
import { identifyFile } from '../protocol/pypi/filenames.js';
import type { DistFile } from '../protocol/pypi/model.js';

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

interface PackumentLike {
  'dist-tags'?: unknown;
  versions: Record<string, unknown>;
  time?: Record<string, unknown>;
}

export function npmReleaseHistory(packument: PackumentLike): ReleaseHistory {
  const releases: ReleaseRecord[] = [];
  for (const [version, manifest] of Object.entries(packument.versions)) {
    const doc = record(manifest);
    const dist = record(doc.dist);
    releases.push({
      version,
      published: timeOf(packument.time?.[version]),
      installScript: installScriptOf(doc),
      attested: record(dist.attestations).url !== undefined || record(record(dist.attestations).provenance).predicateType !== undefined,
      publisher: typeof record(doc._npmUser).name === 'string' ? (record(doc._npmUser).name as string) : null,
      dependencies: Object.keys(record(doc.dependencies)),
    });
  }
  const latest = record(packument['dist-tags']).latest;
  return { releases, latest: typeof latest === 'string' ? latest : null };
}

/**
 * The text of the scripts npm runs at install time, joined; '' when the abbreviated document only
 * says `hasInstallScript` (or a `binding.gyp` makes npm run `node-gyp rebuild`); null for none.
 */
function installScriptOf(manifest: Record<string, unknown>): string | null {
  const scripts = record(manifest.scripts);
  const texts = INSTALL_SCRIPTS.flatMap((hook) => (typeof scripts[hook] === 'string' ? [`${hook}: ${scripts[hook]}`] : []));
  if (texts.length > 0) return texts.join('; ');
  if (manifest.hasInstallScript === true) return '';
  if (manifest.gypfile === true) return 'install: node-gyp rebuild (binding.gyp)';
  return null;
}

interface PypiFileLike {
  packagetype?: string | undefined;
  filename: string;
  upload_time_iso_8601?: string | null | undefined;
}

/** From the JSON API's `releases`: each release's earliest upload and its wheel and sdist counts. */
export function pypiReleaseHistory(releases: Record<string, readonly PypiFileLike[]>): ReleaseHistory {
  return pypiFileHistory(
    Object.entries(releases).flatMap(([version, files]) =>
      files.map((file) => ({
        version,
        filename: file.filename,
        packagetype: file.packagetype,
        uploaded: timeOf(file.upload_time_iso_8601),
      })),
    ),
  );
}

export interface PypiFileFacts {
  version: string;
  filename: string;
  /** The JSON API's `packagetype`; absent on simple pages (the file name says it). */
  packagetype?: string | undefined;
  uploaded: Date | null;
  /** PEP 740: the provenance URL, null for none, absent where the index does not say. */
  provenance?: string | null | undefined;
  /** The Trusted Publishers its provenance names (see protocol/pypi/provenance.ts), where it was read. */
  publishers?: readonly string[] | undefined;
}

/**
 * From a project's files (JSON API or simple page): each release's earliest upload, its wheel and
 * sdist counts, and whether every file has a PEP 740 provenance. An index that serves provenance
 * says so on some file; where no file of the page has one, attestations are unknown, not absent.
 */
export function pypiFileHistory(files: readonly PypiFileFacts[]): ReleaseHistory {
  const byVersion = new Map<string, PypiFileFacts[]>();
  for (const file of files) {
    const list = byVersion.get(file.version);
    if (list) list.push(file);
    else byVersion.set(file.version, [file]);
  }
  const attestationsKnown = files.some((file) => typeof file.provenance === 'string');
  const releases: ReleaseRecord[] = [];
  for (const [version, list] of byVersion) {
    const times = list.map((file) => file.uploaded).filter((time): time is Date => time !== null);
    const wheels = list.filter((file) => file.packagetype === 'bdist_wheel' || file.filename.endsWith('.whl')).length;
    const sdists = list.filter((file) => file.packagetype === 'sdist' || /\.(tar\.gz|zip|tar\.bz2)$/.test(file.filename)).length;
    // The release's publisher: every Trusted Publisher its read provenance names (a release whose
    // files came from two publishers is its own combination).
    const publishers = [...new Set(list.flatMap((file) => file.publishers ?? []))].sort();
    releases.push({
      version,
      published: times.length === 0 ? null : new Date(Math.min(...times.map(Number))),
      wheels,
      sdists,
      ...(attestationsKnown ? { attested: list.every((file) => typeof file.provenance === 'string') } : {}),
      ...(publishers.length > 0 ? { publisher: publishers.join(' and ') } : {}),
    });
  }
  return { releases, latest: null };
}

/** From a simple project page's files (with the publishers read from some of their provenance, by file name). */
export function pypiPageHistory(
  name: string,
  files: readonly DistFile[],
  publishers: ReadonlyMap<string, readonly string[]> = new Map(),
): ReleaseHistory {
  return pypiFileHistory(
    files.flatMap((file) => {
      const identity = identifyFile(name, file.filename);
      if (typeof identity === 'string') return [];
      return [
        {
          version: identity.version,
          filename: file.filename,
          uploaded: file.uploadTime,
          provenance: file.provenance,
          publishers: publishers.get(file.filename),
        },
      ];
    }),
  );
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function timeOf(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
