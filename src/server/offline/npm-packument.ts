// Packuments built from the offline store: each imported version's own document (as its registry
// published it), its tarball URL pointed at this server, publish times from the bundle, and the
// versions the policy hides now left out (with dist-tags fixed the way the online filter does).
import semver from 'semver';
import { judgeVersion, type Finding, type PolicyContext } from '../../policy/index.js';
import { fixDistTags, highestStableAtMost } from '../npm/filter/dist-tags.js';
import type { NpmArtifact } from '../../protocol/bundle/manifest.js';
import type { StoredPackage } from '../../sources/offline-store/store.js';
import { abbreviatedManifest } from '../../protocol/npm/abbreviated.js';
import { tarballPath } from '../../protocol/npm/paths.js';

export interface OfflinePackage {
  name: string;
  /** version → artifact, every imported version. */
  versions: Map<string, NpmArtifact>;
  /** version → the findings that hide it now (enforce mode leaves these out of the packument). */
  hidden: Map<string, Finding[]>;
}

export function judgeOfflinePackage(stored: StoredPackage, context: PolicyContext, now: Date): OfflinePackage {
  const name = stored.package.name;
  const versions = new Map<string, NpmArtifact>();
  const hidden = new Map<string, Finding[]>();
  for (const artifact of stored.artifacts) {
    if (artifact.ecosystem !== 'npm') continue;
    versions.set(artifact.version, artifact);
    const verdict = judgeVersion(
      { ecosystem: 'npm', name, canonicalName: name.toLowerCase(), version: artifact.version, published: new Date(artifact.published) },
      context,
      now,
    );
    if (verdict.hidden) hidden.set(artifact.version, verdict.findings);
  }
  return { name, versions, hidden };
}

/** The version document a client sees: the published one, its tarball on this server. */
export function versionDocument(artifact: NpmArtifact, origin: string): Record<string, unknown> {
  const dist = (typeof artifact.manifest.dist === 'object' && artifact.manifest.dist !== null ? artifact.manifest.dist : {}) as Record<
    string,
    unknown
  >;
  return {
    ...artifact.manifest,
    name: artifact.name,
    version: artifact.version,
    dist: {
      ...dist,
      tarball: `${origin}${tarballPath(artifact.name, artifact.filename)}`,
      integrity: typeof dist.integrity === 'string' ? dist.integrity : artifact.integrity,
    },
  };
}

export function buildPackument(
  stored: StoredPackage,
  judged: OfflinePackage,
  origin: string,
  options: { enforce: boolean; abbreviated: boolean },
): Record<string, unknown> {
  const visible = [...judged.versions.values()].filter((artifact) => !options.enforce || !judged.hidden.has(artifact.version));
  const remaining = new Set(visible.map((artifact) => artifact.version));
  const versions: Record<string, unknown> = {};
  for (const artifact of sortByVersion(visible)) {
    const document = versionDocument(artifact, origin);
    versions[artifact.version] = options.abbreviated ? abbreviatedManifest(document) : document;
  }
  const distTags = distTagsFor(stored, [...judged.versions.keys()], remaining);
  const modified =
    visible
      .map((artifact) => artifact.published)
      .sort()
      .at(-1) ?? stored.package.facts.recordedAt;
  if (options.abbreviated) return { name: stored.package.name, 'dist-tags': distTags, versions, modified };
  const time: Record<string, string> = { modified };
  if (stored.package.facts.created) time.created = stored.package.facts.created;
  for (const artifact of visible) time[artifact.version] = artifact.published;
  return { _id: stored.package.name, name: stored.package.name, 'dist-tags': distTags, versions, time };
}

/** The upstream dist-tags that point at imported versions; `latest` chosen by semver when the upstream's is not here. */
function distTagsFor(stored: StoredPackage, imported: string[], remaining: ReadonlySet<string>): Record<string, string> {
  const tags: Record<string, string> = Object.fromEntries(
    Object.entries(stored.package.distTags ?? {}).filter(([, version]) => imported.includes(version)),
  );
  if (tags.latest === undefined) {
    const highest = highestStableAtMost(imported, '') ?? semver.rsort(imported.filter((version) => semver.valid(version)))[0];
    if (highest) tags.latest = highest;
  }
  const fixed = fixDistTags(tags, remaining);
  return fixed.tags;
}

function sortByVersion(artifacts: NpmArtifact[]): NpmArtifact[] {
  return [...artifacts].sort((a, b) =>
    semver.valid(a.version) && semver.valid(b.version) ? semver.compare(a.version, b.version) : a.version.localeCompare(b.version),
  );
}
