// The ecosystems `depfence serve` mounts after its own /-/depfence/ endpoints, in order: the PyPI
// simple index under /-/pypi/.
import type { Mount, ServerContext } from './app.js';
import { pypiMount } from './pypi/index.js';

export async function ecosystemMounts(context: ServerContext): Promise<Mount[]> {
  return [pypiMount(context)];
}
