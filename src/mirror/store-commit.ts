// Writing the offline store, all or nothing. An import works in a staging folder inside
// <dataDir>/mirror/ (same filesystem, so renames are atomic): the verified bundle files land in
// `incoming/`, the next generation is built beside them (the current one's blobs hard-linked, the
// changed package records written anew), and only then is `current` swapped to it with one
// rename. Any failure removes the staging folder (and the mirror folder if this import made it),
// so a refused import leaves the data dir exactly as it was. One import at a time (a lock file).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MirrorError } from '../sources/offline-store/errors.js';
import type { BundleManifest, ManifestArtifact } from '../protocol/bundle/manifest.js';
import { validRepoId } from '../protocol/huggingface/repo-id.js';
import {
  blobFile,
  mirrorRoot,
  OfflineStore,
  modelFile,
  packageFile,
  STORE_FORMAT,
  STORE_FORMAT_VERSION,
  type ImportedBundle,
  type StoredModel,
  type StoreIndex,
} from '../sources/offline-store/store.js';
import { mergeModel, mergePackage } from './store-merge.js';
import { processIsAlive } from '../sources/process-alive.js';

export interface ImportTransaction {
  /** Where readBundle writes the verified artifacts. */
  incoming: string;
  /** Builds the next generation from the verified bundle; false when it would change nothing. */
  build(bundle: BuiltBundle): Promise<BuildSummary>;
  /** Makes the built generation current. */
  commit(): Promise<void>;
  /** Removes everything this transaction wrote. Safe to call after commit (then it only tidies). */
  close(): Promise<void>;
}

export interface BuiltBundle {
  sha256: string;
  manifest: BundleManifest;
  /** sha256 → verified file in `incoming`. */
  files: ReadonlyMap<string, string>;
  importedAt: Date;
}

export interface BuildSummary {
  changed: boolean;
  alreadyImported: boolean;
  addedArtifacts: ManifestArtifact[];
  addedModelFiles: number;
  packages: number;
}

/** A bundle's repos by kind and (case-insensitive) id: the commits it carries and the files or repos it left out. */
function groupRepos(manifest: BundleManifest): Map<string, Pick<StoredModel, 'kind' | 'id' | 'revisions' | 'refused'>> {
  const groups = new Map<string, Pick<StoredModel, 'kind' | 'id' | 'revisions' | 'refused'>>();
  const group = (kind: 'model' | 'dataset', id: string) => {
    const key = `${kind}:${id.toLowerCase()}`;
    const found = groups.get(key) ?? { kind, id, revisions: [], refused: [] };
    groups.set(key, found);
    return found;
  };
  for (const record of manifest.models ?? []) group(record.kind, record.id).revisions.push(record);
  for (const skipped of manifest.skipped) {
    if (skipped.ecosystem !== 'huggingface' || skipped.version === null) continue;
    const dataset = skipped.name.startsWith('datasets/');
    const id = dataset ? skipped.name.slice('datasets/'.length) : skipped.name;
    if (validRepoId(id.split('/')))
      group(dataset ? 'dataset' : 'model', id).refused.push({
        commit: skipped.version,
        path: skipped.file ?? null,
        reasons: skipped.reasons,
      });
  }
  return groups;
}

export async function beginImport(dataDir: string): Promise<ImportTransaction> {
  const root = mirrorRoot(dataDir);
  const dataDirExisted = await exists(dataDir);
  const rootExisted = await exists(root);
  await mkdir(root, { recursive: true });
  const lock = takeLock(root);
  let staging: string;
  try {
    staging = await mkdtemp(join(root, '.staging-'));
  } catch (error) {
    lock.release();
    throw error;
  }
  const incoming = join(staging, 'incoming');
  await mkdir(incoming);
  const store = new OfflineStore(dataDir);
  const gen = join(staging, 'generation');
  let built = false;
  let committed = false;

  return {
    incoming,
    async build(bundle) {
      const current = store.currentDir();
      await mkdir(join(gen, 'blobs'), { recursive: true });
      await mkdir(join(gen, 'pypi'));
      await mkdir(join(gen, 'npm'));
      await mkdir(join(gen, 'models'));
      if (current) await linkTree(current, gen, ['blobs', 'pypi', 'npm', 'models']);
      const index: StoreIndex = current ? store.index() : { format: STORE_FORMAT, formatVersion: STORE_FORMAT_VERSION, bundles: [] };
      const alreadyImported = index.bundles.some((entry) => entry.sha256 === bundle.sha256);
      let changed = !alreadyImported;
      const addedArtifacts: ManifestArtifact[] = [];
      for (const record of bundle.manifest.packages) {
        const artifacts = bundle.manifest.artifacts.filter(
          (artifact) => artifact.ecosystem === record.ecosystem && artifact.name === record.name,
        );
        const result = mergePackage(store.package(record.ecosystem, record.name, current), record, artifacts, bundle.sha256);
        if (!result.changed) continue;
        changed = true;
        addedArtifacts.push(...result.added);
        const file = join(gen, packageFile(record.ecosystem, record.name));
        await rm(file, { force: true }); // a hard link to the current generation's copy: replace, never write through
        await writeFile(file, `${JSON.stringify(result.merged, null, 1)}\n`);
      }
      let addedModelFiles = 0;
      for (const repo of groupRepos(bundle.manifest).values()) {
        const result = mergeModel(store.model(repo.kind, repo.id, current), repo, bundle.sha256);
        if (!result.changed) continue;
        changed = true;
        addedModelFiles += result.added;
        const file = join(gen, modelFile(repo.kind, repo.id));
        await rm(file, { force: true });
        await writeFile(file, `${JSON.stringify(result.merged, null, 1)}\n`);
      }
      for (const [sha256, path] of bundle.files) {
        const target = join(gen, blobFile(sha256));
        if (await exists(target)) continue;
        await mkdir(dirname(target), { recursive: true });
        await rename(path, target);
      }
      if (!alreadyImported) index.bundles.push(bundleRecord(bundle));
      await writeFile(join(gen, 'store.json'), `${JSON.stringify(index, null, 1)}\n`);
      built = changed;
      return { changed, alreadyImported, addedArtifacts, addedModelFiles, packages: bundle.manifest.packages.length };
    },
    async commit() {
      if (!built) return;
      const generations = join(root, 'generations');
      await mkdir(generations, { recursive: true });
      const previous = store.currentDir();
      const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      await rename(gen, join(generations, id));
      const pointer = join(root, `.current-${id}`);
      await symlink(join('generations', id), pointer);
      await rename(pointer, join(root, 'current'));
      committed = true;
      // Keep the generation just replaced (a server may be reading it this moment); drop older ones.
      const keep = new Set([id, previous ? previous.slice(previous.lastIndexOf('/') + 1) : '']);
      for (const entry of await readdir(generations))
        if (!keep.has(entry)) await rm(join(generations, entry), { recursive: true, force: true });
    },
    async close() {
      await rm(staging, { recursive: true, force: true });
      lock.release();
      if (!committed && !rootExisted) await rm(root, { recursive: true, force: true });
      if (!committed && !dataDirExisted) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function bundleRecord(bundle: BuiltBundle): ImportedBundle {
  const { manifest } = bundle;
  return {
    sha256: bundle.sha256,
    createdAt: manifest.createdAt,
    importedAt: bundle.importedAt.toISOString(),
    depfenceVersion: manifest.depfenceVersion,
    policyDigest: manifest.policy.digest,
    packages: manifest.packages.length,
    artifacts: manifest.artifacts.length,
    skipped: manifest.skipped.length,
    threatIndex: manifest.threatData?.index?.sha256 ?? null,
  };
}

/** Hard-links every file of `from`'s subfolders into `to` (same layout). */
async function linkTree(from: string, to: string, folders: string[]): Promise<void> {
  for (const folder of folders) {
    const walk = async (relative: string): Promise<void> => {
      const entries = await readdir(join(from, relative), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(relative, entry.name);
        if (entry.isDirectory()) {
          await mkdir(join(to, path), { recursive: true });
          await walk(path);
        } else if (entry.isFile()) {
          await link(join(from, path), join(to, path)).catch(() => copyFile(join(from, path), join(to, path)));
        }
      }
    };
    await walk(folder);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `<root>/import.lock` holding the importer's pid; a lock left by a process that is gone is taken over. */
function takeLock(root: string): { release(): void } {
  const file = join(root, 'import.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSyncQuiet(file);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSafe(file));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
        throw new MirrorError('ESTORE', `another import (pid ${holder}) is writing the offline store in ${root}; wait for it to finish`);
      }
      rmSyncQuiet(file);
    }
  }
  throw new MirrorError('ESTORE', `cannot take the import lock ${file}`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function rmSyncQuiet(file: string): void {
  rmSync(file, { force: true });
}
