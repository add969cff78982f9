// Which dependencies of a version manifest npm would not fetch from the registry: each value read
// with npm's own parser (src/inputs/npm-spec.ts), as npm reads it when it installs the version.
import { readNpmDependency } from '../../../inputs/npm-spec.js';
import type { OutsideDependency } from '../../../policy/index.js';
import type { VersionManifest } from './packument.js';

const FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * How npm reads each (name, spec) pair seen recently: the same pairs recur in every version of a
 * packument (a large one has 100,000), and reading one costs URL parsing. Bounded; cleared when full.
 */
const KIND_CACHE_SIZE = 50_000;
const kinds = new Map<string, ReturnType<typeof readNpmDependency>['kind']>();

function kindOf(name: string, spec: string): ReturnType<typeof readNpmDependency>['kind'] {
  const key = `${name}\0${spec}`;
  let kind = kinds.get(key);
  if (kind === undefined) {
    kind = readNpmDependency(name, spec, '/').kind;
    if (kinds.size >= KIND_CACHE_SIZE) kinds.clear();
    kinds.set(key, kind);
  }
  return kind;
}

export function outsideDependencies(manifest: VersionManifest): OutsideDependency[] {
  const outside: OutsideDependency[] = [];
  for (const field of FIELDS) {
    const entries = manifest[field];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [name, spec] of Object.entries(entries)) {
      if (typeof spec !== 'string') continue;
      const kind = kindOf(name, spec);
      if (kind !== 'registry') outside.push({ field, name, spec, kind });
    }
  }
  return outside;
}
