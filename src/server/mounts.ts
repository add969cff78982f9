// The ecosystems `depfence serve` mounts after its own /-/depfence/ endpoints, in order: the PyPI
// simple index under /-/pypi/, the Hugging Face Hub under /-/hf/ (the npm registry, which owns the
// origin's root, goes last).
import type { Mount, ServerContext } from './app.js';
import { pypiMount } from './pypi/index.js';
import { hfMount } from './hf/index.js';
import { npmMount } from './npm/index.js';
import { offlineNpmMount } from './offline/npm-mount.js';

export async function ecosystemMounts(context: ServerContext): Promise<Mount[]> {
  // Offline (`serve --offline`): the npm side answers from the imported bundles, without Verdaccio.
  if (context.config.offline) return [pypiMount(context), hfMount(context), offlineNpmMount(context)];
  // The npm mount starts its registry process first, so it boots while the policy data loads.
  const npm = npmMount(context);
  return [pypiMount(context), hfMount(context), await npm];
}
