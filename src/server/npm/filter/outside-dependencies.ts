// Which dependencies of a version manifest npm would not fetch from the registry: each value read
// with npm's own parser (src/inputs/npm-spec.ts), as npm reads it when it installs the version.
import { readNpmDependency } from '../../../inputs/npm-spec.js';
import type { OutsideDependency } from '../../../policy/index.js';
import type { VersionManifest } from './packument.js';

const FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export function outsideDependencies(manifest: VersionManifest): OutsideDependency[] {
  const outside: OutsideDependency[] = [];
  for (const field of FIELDS) {
    const entries = manifest[field];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [name, spec] of Object.entries(entries)) {
      if (typeof spec !== 'string') continue;
      const read = readNpmDependency(name, spec, '/');
      if (read.kind !== 'registry') outside.push({ field, name, spec, kind: read.kind });
    }
  }
  return outside;
}
