// A version whose dependencies, optional dependencies or peer dependencies point outside the
// registry (a git repository, a URL, a path, or a spec npm cannot read) would make npm clone or
// download that code directly, where the firewall never sees it. Such a version is denied (and so
// hidden); an allow entry for the package overrides it like any other finding.
import type { Finding } from '../types.js';

export interface OutsideDependency {
  field: 'dependencies' | 'optionalDependencies' | 'peerDependencies';
  name: string;
  /** The value as the manifest gives it (`git+https://…`, `github:u/r`, `file:../x`). */
  spec: string;
  kind: 'git' | 'remote' | 'local' | 'invalid';
}

const WHERE: Record<OutsideDependency['kind'], string> = {
  git: 'a git repository',
  remote: 'a URL',
  local: 'a path',
  invalid: 'a spec npm cannot install from a registry',
};

export function checkDependencySources(name: string, version: string, outside: readonly OutsideDependency[]): Finding[] {
  return outside.map((dependency) => ({
    check: 'dependency-source',
    severity: 'deny',
    message: `${name}@${version} has ${dependency.field === 'dependencies' ? 'a dependency' : `an entry in ${dependency.field}`} on ${dependency.name} from ${WHERE[dependency.kind]} (${dependency.spec}), which npm would fetch directly, around the firewall`,
    evidence: { field: dependency.field, dependency: dependency.name, spec: dependency.spec, kind: dependency.kind },
  }));
}
