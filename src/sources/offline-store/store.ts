// The offline store: what `depfence import` put into the data dir, and what `serve --offline`
// answers from. Layout under <dataDir>/mirror/:
//   current -> generations/<id>        a symlink, swapped atomically by each import
//   generations/<id>/store.json        the bundles imported so far
//   generations/<id>/pypi/<project>.json   a project's record and its files (PEP 503 name)
//   generations/<id>/npm/<name>.json       a package's record and its versions (name URI-encoded)
//   generations/<id>/models/<kind>--<id>.json  a Hugging Face repo's mirrored commits (id lowercased, URI-encoded)
//   generations/<id>/blobs/<aa>/<sha256>   the artifacts, content-addressed and read-only
// A generation is never changed once current: an import builds the next one beside it (blobs
// hard-linked) and swaps the symlink, so readers see the old store or the new one, never half.
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ecosystem } from '../../names/index.js';
import { canonicalName } from '../../names/index.js';
import { MirrorError } from './errors.js';
import { validRepoId } from '../../protocol/huggingface/repo-id.js';
import type { ManifestArtifact, ModelRepoRecord, PackageRecord } from '../../protocol/bundle/manifest.js';

export const STORE_FORMAT = 'depfence-offline-store';
export const STORE_FORMAT_VERSION = 1;

export interface ImportedBundle {
  /** sha256 of the threat-data index the bundle carried (--with-feeds), if any. */
  threatIndex?: string | null;
  sha256: string;
  createdAt: string;
  importedAt: string;
  depfenceVersion: string;
  policyDigest: string;
  packages: number;
  artifacts: number;
  skipped: number;
}

export interface StoreIndex {
  format: typeof STORE_FORMAT;
  formatVersion: typeof STORE_FORMAT_VERSION;
  bundles: ImportedBundle[];
}

/** One package in the store: its record (decision, facts) and every artifact imported for it. */
export interface StoredPackage {
  package: PackageRecord;
  artifacts: ManifestArtifact[];
  /** sha256 of each bundle that contributed to it. */
  bundles: string[];
}

export function mirrorRoot(dataDir: string): string {
  return join(dataDir, 'mirror');
}

const GENERATION_LINK = /^generations\/[a-z0-9-]+$/;

/** The file a package's record lives in, relative to a generation. */
export function packageFile(ecosystem: Ecosystem, name: string): string {
  const key = canonicalName(ecosystem, name);
  const file = ecosystem === 'npm' ? encodeURIComponent(key) : key;
  if (file === '' || file === '.' || file === '..' || file.includes('/'))
    throw new MirrorError('ESTORE', `"${name}" cannot be stored as a file name`);
  return join(ecosystem, `${file}.json`);
}

/** A repo (path null) or one of its files that `depfence mirror --skip-denied` left out, and why. */
export interface RefusedModelFile {
  commit: string;
  path: string | null;
  reasons: string[];
}

/** One Hugging Face repo in the store: each commit mirrored (oldest first) with its files, and what was left out. */
export interface StoredModel {
  kind: 'model' | 'dataset';
  id: string;
  revisions: ModelRepoRecord[];
  refused: RefusedModelFile[];
  bundles: string[];
}

/** The file a repo's record lives in, relative to a generation (repo ids are case-insensitive on the Hub). */
export function modelFile(kind: 'model' | 'dataset', id: string): string {
  return join('models', `${kind}--${encodeURIComponent(id.toLowerCase())}.json`);
}

export function blobFile(sha256: string): string {
  return join('blobs', sha256.slice(0, 2), sha256);
}

/** Read access to the current generation. Cheap to construct; every call reads the disk afresh. */
export class OfflineStore {
  constructor(readonly dataDir: string) {}

  get root(): string {
    return mirrorRoot(this.dataDir);
  }

  /** The current generation's folder, or null when nothing was imported yet. */
  currentDir(): string | null {
    let target: string;
    try {
      target = readlinkSync(join(this.root, 'current'));
    } catch {
      return null;
    }
    if (!GENERATION_LINK.test(target))
      throw new MirrorError('ESTORE', `${join(this.root, 'current')} points at ${target}, which is not a store generation`);
    return join(this.root, target);
  }

  index(): StoreIndex {
    const dir = this.currentDir();
    if (!dir) return { format: STORE_FORMAT, formatVersion: STORE_FORMAT_VERSION, bundles: [] };
    const index = readJson(join(dir, 'store.json')) as Partial<StoreIndex> | null;
    if (index?.format !== STORE_FORMAT || index.formatVersion !== STORE_FORMAT_VERSION) {
      throw new MirrorError(
        'ESTORE',
        `${join(dir, 'store.json')} is not a depfence offline store of format version ${STORE_FORMAT_VERSION}`,
      );
    }
    return index as StoreIndex;
  }

  /** The package, or null when the store does not hold it. */
  package(ecosystem: Ecosystem, name: string, dir = this.currentDir()): StoredPackage | null {
    if (!dir) return null;
    let file: string;
    try {
      file = packageFile(ecosystem, name);
    } catch {
      return null;
    }
    return readJson(join(dir, file)) as StoredPackage | null;
  }

  /** The repo, or null when the store does not hold it. */
  model(kind: 'model' | 'dataset', id: string, dir = this.currentDir()): StoredModel | null {
    if (!dir || !validRepoId(id.split('/'))) return null;
    return readJson(join(dir, modelFile(kind, id))) as StoredModel | null;
  }

  /** The path of a stored artifact, or null if it is missing. */
  blob(sha256: string, dir = this.currentDir()): { path: string; size: number } | null {
    if (!dir || !/^[0-9a-f]{64}$/.test(sha256)) return null;
    const path = join(dir, blobFile(sha256));
    try {
      const stats = statSync(path);
      return stats.isFile() ? { path, size: stats.size } : null;
    } catch {
      return null;
    }
  }

  hasAnything(): boolean {
    const dir = this.currentDir();
    return dir !== null && existsSync(join(dir, 'store.json'));
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MirrorError('ESTORE', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MirrorError(
      'ESTORE',
      `${file} is not valid JSON (${(error as Error).message}); the offline store is damaged: import the bundles again into a fresh data dir`,
    );
  }
}
