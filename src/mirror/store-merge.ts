// Merging a bundle's packages into what the store holds: a later bundle adds files and versions;
// the same file with the same bytes is a no-op (imports are idempotent); the same file name with
// other bytes is a conflict that refuses the whole import. The package record (decision, facts)
// of the most recently vetted bundle wins; publish times of every version ever imported are kept.
import { MirrorError } from '../sources/offline-store/errors.js';
import type { ManifestArtifact, PackageRecord } from '../protocol/bundle/manifest.js';
import type { StoredPackage } from '../sources/offline-store/store.js';

export interface MergeResult {
  merged: StoredPackage;
  /** Artifacts new to the store. */
  added: ManifestArtifact[];
  changed: boolean;
}

export function mergePackage(existing: StoredPackage | null, record: PackageRecord, artifacts: readonly ManifestArtifact[], bundleSha256: string): MergeResult {
  if (!existing) {
    return { merged: { package: record, artifacts: sortArtifacts([...artifacts]), bundles: [bundleSha256] }, added: [...artifacts], changed: true };
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
