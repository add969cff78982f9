// Merging a bundle's packages into what the store holds: a later bundle adds files and versions;
// the same file with the same bytes is a no-op (imports are idempotent); the same file name with
// other bytes is a conflict that refuses the whole import. The package record (decision, facts)
// of the most recently vetted bundle wins; publish times of every version ever imported are kept.
import { MirrorError } from '../sources/offline-store/errors.js';
import type { ManifestArtifact, ModelFileRecord, PackageRecord } from '../protocol/bundle/manifest.js';
import type { StoredModel, StoredPackage } from '../sources/offline-store/store.js';

export interface MergeResult {
  merged: StoredPackage;
  /** Artifacts new to the store. */
  added: ManifestArtifact[];
  changed: boolean;
}

export function mergePackage(
  existing: StoredPackage | null,
  record: PackageRecord,
  artifacts: readonly ManifestArtifact[],
  bundleSha256: string,
): MergeResult {
  if (!existing) {
    return {
      merged: { package: record, artifacts: sortArtifacts([...artifacts]), bundles: [bundleSha256] },
      added: [...artifacts],
      changed: true,
    };
  }
  const byFile = new Map(existing.artifacts.map((artifact) => [artifact.filename, artifact]));
  const added: ManifestArtifact[] = [];
  for (const artifact of artifacts) {
    const known = byFile.get(artifact.filename);
    if (!known) {
      byFile.set(artifact.filename, artifact);
      added.push(artifact);
    } else if (known.sha256 !== artifact.sha256) {
      throw new MirrorError(
        'ESTORE_CONFLICT',
        `${artifact.ecosystem}:${artifact.name} ${artifact.filename} is already in the offline store with sha256 ${known.sha256}, but this bundle has sha256 ${artifact.sha256}; a published file never changes, so the bundle is refused (nothing was imported)`,
      );
    }
  }
  const newer = Date.parse(record.facts.recordedAt) >= Date.parse(existing.package.facts.recordedAt);
  const [primary, secondary] = newer ? [record, existing.package] : [existing.package, record];
  const versions = { ...secondary.facts.versions, ...primary.facts.versions };
  const createdTimes = [primary.facts.created, secondary.facts.created].filter((time): time is string => time !== null);
  const created = createdTimes.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
  const distTags = primary.distTags || secondary.distTags ? { ...secondary.distTags, ...primary.distTags } : undefined;
  const mergedRecord: PackageRecord = { ...primary, facts: { ...primary.facts, versions, created }, ...(distTags && { distTags }) };
  const bundles = existing.bundles.includes(bundleSha256) ? existing.bundles : [...existing.bundles, bundleSha256];
  const merged: StoredPackage = { package: mergedRecord, artifacts: sortArtifacts([...byFile.values()]), bundles };
  const changed = added.length > 0 || JSON.stringify(merged) !== JSON.stringify(existing);
  return { merged, added, changed };
}

function sortArtifacts(artifacts: ManifestArtifact[]): ManifestArtifact[] {
  return artifacts.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

export interface ModelMergeResult {
  merged: StoredModel;
  /** Model files new to the store. */
  added: number;
  changed: boolean;
}

/**
 * A bundle's records of one repo into what the store holds: a new commit is added; the same commit
 * gains the files it did not have; the same file of the same commit with other bytes is a conflict.
 */
export function mergeModel(
  existing: StoredModel | null,
  incoming: Pick<StoredModel, 'kind' | 'id' | 'revisions' | 'refused'>,
  bundleSha256: string,
): ModelMergeResult {
  const records = incoming.revisions;
  const revisions = new Map((existing?.revisions ?? []).map((revision) => [revision.commit, revision]));
  let added = 0;
  for (const record of records) {
    const known = revisions.get(record.commit);
    if (!known) {
      revisions.set(record.commit, { ...record, files: sortFiles(record.files) });
      added += record.files.length;
      continue;
    }
    const files = new Map(known.files.map((file) => [file.path, file]));
    for (const file of record.files) {
      const same = files.get(file.path);
      if (same && same.sha256 !== file.sha256) {
        throw new MirrorError(
          'ESTORE_CONFLICT',
          `huggingface:${record.id}@${record.commit} ${file.path} is already in the offline store with sha256 ${same.sha256}, but this bundle has sha256 ${file.sha256}; a commit's file never changes, so the bundle is refused (nothing was imported)`,
        );
      }
      if (!same) {
        files.set(file.path, file);
        added++;
      }
    }
    const newer = Date.parse(record.recordedAt) >= Date.parse(known.recordedAt) ? record : known;
    revisions.set(record.commit, { ...newer, files: sortFiles([...files.values()]) });
  }
  const ordered = [...revisions.values()].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));
  const bundles = existing?.bundles.includes(bundleSha256) ? existing.bundles : [...(existing?.bundles ?? []), bundleSha256];
  const refused = new Map(
    [...(existing?.refused ?? []), ...incoming.refused].map((entry) => [`${entry.commit} ${entry.path ?? ''}`, entry]),
  );
  const merged: StoredModel = {
    kind: incoming.kind,
    id: existing?.id ?? incoming.id,
    revisions: ordered,
    refused: [...refused.values()],
    bundles,
  };
  return { merged, added, changed: existing === null || JSON.stringify(merged) !== JSON.stringify(existing) };
}

function sortFiles(files: readonly ModelFileRecord[]): ModelFileRecord[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
