// The ecosystems `depfence serve` mounts after its own /-/depfence/ endpoints, in order: the PyPI
// simple index under /-/pypi/, the Hugging Face Hub under /-/hf/ (the npm registry, which owns the
// origin's root, goes last). Offline (`serve --offline`), the imported bundles stand in for the
// upstreams: the PyPI and Hugging Face mounts are given the offline store as their source, and
// the npm side answers from it without Verdaccio. The online mounts know nothing of the offline store.
import type { Mount, ServerContext } from './context.js';
import { pypiMount } from './pypi/index.js';
import { upstreamPypiSource } from './pypi/project-view.js';
import { hfMount } from './hf/index.js';
import { npmMount } from './npm/index.js';
import type { RegistryProcess } from './npm/registry/supervisor.js';
import { offlineNpmMount } from './offline/npm-mount.js';
import { offlinePypiSource } from './offline/pypi.js';
import { hubSource } from './hf/source.js';
import { offlineHfSource } from './offline/hf.js';

export interface EcosystemMountOptions {
  /** The npm registry process to use (serve keeps it, to start it once it listens). */
  registryProcess?: RegistryProcess;
}

export async function ecosystemMounts(context: ServerContext, options: EcosystemMountOptions = {}): Promise<Mount[]> {
  if (context.config.offline) {
    return [pypiMount(context, offlinePypiSource(context)), hfMount(context, offlineHfSource(context)), offlineNpmMount(context)];
  }
  const npm = await npmMount(context, options.registryProcess ? { registryProcess: options.registryProcess } : {});
  return [pypiMount(context, upstreamPypiSource(context)), hfMount(context, hubSource(context)), npm];
}
