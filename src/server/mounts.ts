// The ecosystems `depfence serve` mounts after its own /-/depfence/ endpoints, in order: the PyPI
// simple index under /-/pypi/ (the npm registry, which owns the origin's root, goes last).
import type { Mount, ServerContext } from './app.js';
import { pypiMount } from './pypi/index.js';
import { npmMount } from './npm/index.js';

export async function ecosystemMounts(context: ServerContext): Promise<Mount[]> {
  return [pypiMount(context), await npmMount(context)];
}
