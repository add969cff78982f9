// Threat data and bundles. A bundle's manifest records the index it was vetted with (when it was
// built and checked, where from); `depfence mirror --with-feeds` also carries the index itself, as
// one more content-addressed file. After import, `serve --offline` finds such indexes in the
// offline store and uses the newest one it has (see offlineThreatDataFiles).
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadIndex } from '../sources/osv/index-file.js';
import type { ThreatDataStatus } from '../sources/osv/threat-data.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import { fileSha256 } from './hashing.js';
import type { BundleManifest } from '../protocol/bundle/manifest.js';
import { OfflineStore } from '../sources/offline-store/store.js';

export type ManifestThreatData = NonNullable<BundleManifest['threatData']>;

export interface CarriedThreatData {
  record: ManifestThreatData | null;
  /** The index copy to put in the bundle (--with-feeds): its sha256 and file. */
  file: { sha256: string; path: string } | null;
}

/** What the manifest says of the index in force, and (withFeeds) a stable copy of it in `workDir`. */
export async function carryThreatData(
  status: ThreatDataStatus,
  withFeeds: boolean,
  workDir: string,
  dataDir: string,
): Promise<CarriedThreatData> {
  if (!status.file || !status.meta) {
    if (withFeeds)
      throw new MirrorError('EINPUT', `--with-feeds carries the threat-data index, but ${dataDir} has none; run depfence update first`);
    return { record: null, file: null };
  }
  const describe = (meta: NonNullable<ThreatDataStatus['meta']>) => ({
    builtAt: meta.builtAt,
    checkedAt: meta.checkedAt,
    sources: { npm: meta.feeds.npm.source, pypi: meta.feeds.pypi.source },
  });
  if (!withFeeds) return { record: { ...describe(status.meta), index: null }, file: null };
  // A copy, so an update that replaces the index during the run cannot change what is carried.
  const path = join(workDir, 'osv-index');
  copyFileSync(status.file, path);
  const index = loadIndex(path);
  const sha256 = await fileSha256(path);
  return { record: { ...describe(index.meta), index: { sha256, size: statSync(path).size } }, file: { sha256, path } };
}

/** The threat-data indexes imported bundles carried, as files in the offline store's current generation. */
export function offlineThreatDataFiles(dataDir: string): string[] {
  const store = new OfflineStore(dataDir);
  try {
    return store
      .index()
      .bundles.map((bundle) => bundle.threatIndex)
      .filter((sha256): sha256 is string => typeof sha256 === 'string')
      .map((sha256) => store.blob(sha256)?.path)
      .filter((path): path is string => path !== undefined);
  } catch {
    return [];
  }
}
