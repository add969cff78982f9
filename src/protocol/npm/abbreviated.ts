// The abbreviated packument (`Accept: application/vnd.npm.install-v1+json`), which npm install asks
// for: per version only the fields an install reads, and `modified` in place of `time`.

export const ABBREVIATED_MEDIA_TYPE = 'application/vnd.npm.install-v1+json';

const ABBREVIATED_FIELDS = new Set([
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'acceptDependencies',
  'bin',
  'directories',
  'dist',
  'engines',
  'deprecated',
  '_hasShrinkwrap',
  'hasInstallScript',
  'os',
  'cpu',
  'libc',
  'funding',
]);

/** A version document cut down to what the abbreviated form keeps. */
export function abbreviatedManifest(manifest: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(manifest).filter(([key]) => ABBREVIATED_FIELDS.has(key)));
}
