// The configuration object for the embedded Verdaccio, generated from depfence's own. Nothing here
// is read from a YAML file: `configPath` only anchors relative paths (and need not exist).
//
// Choices that matter for the firewall:
// - `auth: null`: no htpasswd, so nobody can create a user or log in; every package rule's publish
//   group is one nobody belongs to (depfence's gate refuses writes before Verdaccio sees them);
// - uplinks with `cache: false`: Verdaccio never writes an upstream tarball into storage itself;
//   depfence stores a tarball only after its bytes matched the packument's integrity;
// - the reserved internal names route only to the internal uplink, or nowhere (confusion-routing);
// - `web.enable: false`: the web UI would list unfiltered search results;
// - no `middlewares` (no npm audit proxy: it would send the dependency tree to the public registry).
import { join } from 'node:path';
import type { NetworkConfig } from '../../config/index.js';
import { INTERNAL_UPLINK, PUBLIC_UPLINK, packageRules, type NpmConfusionRules, type VerdaccioPackageRule } from './confusion-routing.js';

export interface VerdaccioPaths {
  /** `<dataDir>/npm`: anchors the configuration, holds Verdaccio's log. */
  root: string;
  /** `<dataDir>/npm-storage`: cached packuments and verified tarballs. */
  storage: string;
  /** Where Verdaccio looks for plugins by name (the generated bridges). */
  plugins: string;
}

export function verdaccioPaths(dataDir: string): VerdaccioPaths {
  return { root: join(dataDir, 'npm'), storage: join(dataDir, 'npm-storage'), plugins: join(dataDir, 'npm', 'plugins') };
}

export interface VerdaccioUplink {
  url: string;
  cache: boolean;
  maxage: string;
  timeout: string;
  max_fails: number;
  fail_timeout: string;
  agent_options: { keepAlive: boolean; maxSockets: number };
  /** Read by depfence's uplink guard: a metadata answer larger than this is cut off. */
  depfence_max_bytes: number;
}

/** The subset of Verdaccio's ConfigYaml depfence writes. */
export interface VerdaccioConfig {
  configPath: string;
  self_path: string;
  storage: string;
  plugins: string;
  web: { enable: boolean; title?: string };
  auth: null;
  uplinks: Record<string, VerdaccioUplink>;
  packages: Record<string, VerdaccioPackageRule>;
  filters?: Record<string, Record<string, unknown>>;
  log: { type: 'file'; path: string; format: 'json'; level: string };
  publish: { allow_offline: boolean };
  user_agent: string;
  max_body_size: string;
}

export interface VerdaccioConfigInput {
  paths: VerdaccioPaths;
  registry: string;
  internal: string | null;
  confusion: NpmConfusionRules;
  network: NetworkConfig;
  /** Never contact an uplink: packages come from storage only. */
  offline?: boolean;
  /** Filter plugins by id, each with its own settings (depfence passes its bridge here). */
  filters?: Record<string, Record<string, unknown>>;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
}

export function buildVerdaccioConfig(input: VerdaccioConfigInput): VerdaccioConfig {
  const configPath = join(input.paths.root, 'verdaccio.yaml');
  const uplinks: Record<string, VerdaccioUplink> = { [PUBLIC_UPLINK]: uplink(input.registry, input.network) };
  if (input.internal !== null) uplinks[INTERNAL_UPLINK] = uplink(input.internal, input.network);
  return {
    configPath,
    self_path: configPath,
    storage: input.paths.storage,
    plugins: input.paths.plugins,
    web: { enable: false },
    auth: null,
    uplinks,
    packages: packageRules(input.confusion, input.internal !== null, !input.offline),
    ...(input.filters ? { filters: input.filters } : {}),
    // Verdaccio's logger is process-wide and set up by the first instance; it writes to a file so
    // that `depfence serve`'s stdout stays its own.
    log: { type: 'file', path: join(input.paths.root, 'verdaccio.log'), format: 'json', level: input.logLevel ?? 'warn' },
    publish: { allow_offline: false },
    user_agent: 'depfence',
    max_body_size: '10mb',
  };
}

function uplink(url: string, network: NetworkConfig): VerdaccioUplink {
  return {
    url,
    cache: false,
    // Verdaccio serves its stored packument this long before asking the uplink again.
    maxage: `${network.cacheTtl}ms`,
    timeout: `${network.timeout}ms`,
    // After two failures in a row the uplink is skipped (stored data only) for a short while.
    max_fails: 2,
    fail_timeout: '10s',
    agent_options: { keepAlive: true, maxSockets: network.concurrency },
    depfence_max_bytes: network.maxResponseBytes,
  };
}
