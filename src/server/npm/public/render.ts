// The documents a client gets for a public package, built from its judged packument: the full
// packument, the abbreviated one npm install asks for, or one version's manifest. Each tarball URL
// names the firewall (`<origin>/name/-/file.tgz`), or the upstream registry when lockfile URLs
// should name it (tarball-origin.ts; the packument's own URLs are on that registry, or their version
// is hidden).
import { abbreviatedManifest } from '../../../protocol/npm/abbreviated.js';
import { tarballFilename } from '../../../protocol/npm/packument.js';
import { tarballPath } from '../../../protocol/npm/paths.js';
import type { Packument, VersionManifest } from '../filter/packument.js';

/** Where tarball URLs point: the firewall's origin, or null to keep the registry's URLs. */
export type TarballOrigin = string | null;

export function packumentDocument(packument: Packument, abbreviated: boolean, origin: TarballOrigin): Record<string, unknown> {
  const versions = Object.fromEntries(
    Object.entries(packument.versions).map(([version, manifest]) => {
      const served = onTarballOrigin(packument.name, manifest, origin);
      return [version, abbreviated ? abbreviatedManifest(served) : served];
    }),
  );
  if (!abbreviated) return { ...packument, versions };
  const modified = packument.time?.modified;
  return {
    name: packument.name,
    'dist-tags': packument['dist-tags'],
    versions,
    ...(typeof modified === 'string' && { modified }),
  };
}

/** The manifest of a version or dist-tag, or null when the packument (as judged) has neither. */
export function versionManifest(packument: Packument, versionOrTag: string, origin: TarballOrigin): VersionManifest | null {
  const version = Object.hasOwn(packument['dist-tags'], versionOrTag) ? packument['dist-tags'][versionOrTag]! : versionOrTag;
  const manifest = Object.hasOwn(packument.versions, version) ? packument.versions[version] : undefined;
  return manifest === undefined ? null : onTarballOrigin(packument.name, manifest, origin);
}

function onTarballOrigin(name: string, manifest: VersionManifest, origin: TarballOrigin): VersionManifest {
  const file = tarballFilename(manifest);
  if (origin === null || file === null || !manifest.dist) return manifest;
  return { ...manifest, dist: { ...manifest.dist, tarball: `${origin}${tarballPath(name, file)}` } };
}
