// The configuration object for the embedded Verdaccio, generated from depfence's own. Nothing here
// is read from a YAML file: `configPath` only anchors relative paths (and need not exist).
//
// Choices that matter for the firewall:
// - every uplink is depfence's own uplink listener on loopback (uplink/listener.ts), with a
//   per-process bearer secret: Verdaccio never talks to the internet, and everything it fetches went
//   through depfence's guarded client (origin pinning, redirects, size, nesting, timeouts, cache);
// - uplinks with `cache: true`: the listener hands Verdaccio a tarball only after its bytes matched
//   the packument's integrity, so what Verdaccio stores is verified;
// - htpasswd auth with self-registration off (`max_users: -1`): users come from
//   `depfence user add`; they may publish the reserved internal names only (confusion-routing);
// - the reserved internal names route only to the internal uplink, or nowhere (confusion-routing);
// - `web.enable: false`: the web UI would list unfiltered search results;
// - no audit middleware (it would send the dependency tree to the public registry).
import { join } from 'node:path';
import type { NetworkConfig } from '../../config/index.js';
import { INTERNAL_UPLINK, PUBLIC_UPLINK, packageRules, type NpmConfusionRules, type VerdaccioPackageRule } from './confusion-routing.js';

export interface VerdaccioPaths {
  /** `<dataDir>/npm`: anchors the configuration, holds Verdaccio's log. */
  root: string;
  /** `<dataDir>/npm-registry`: Verdaccio's storage: cached packuments, verified tarballs, published internal packages. */
  storage: string;
  /** Where Verdaccio looks for plugins by name (the generated bridges). */
  plugins: string;
  /** The htpasswd file of the users who may publish internal packages (`depfence user add`). */
  htpasswd: string;
  /** Tarballs being downloaded and checked. */
  tmp: string;
}

export function verdaccioPaths(dataDir: string): VerdaccioPaths {
  const root = join(dataDir, 'npm');
  return {
    root,
    storage: join(dataDir, 'npm-registry'),
    plugins: join(root, 'plugins'),
    htpasswd: join(root, 'htpasswd'),
    tmp: join(root, 'tmp'),
  };
}

export interface VerdaccioUplink {
  url: string;
  cache: boolean;
  maxage: string;
  timeout: string;
  max_fails: number;
  fail_timeout: string;
  agent_options: { keepAlive: boolean; maxSockets: number };
  /** Verdaccio's documented per-uplink proxy: depfence's uplink listener. */
  http_proxy: string;
  /** Verdaccio's documented uplink auth: the listener's per-process secret. */
  auth: { type: 'bearer'; token: string };
}

/** The subset of Verdaccio's ConfigYaml depfence writes. */
export interface VerdaccioConfig {
  configPath: string;
  self_path: string;
  storage: string;
  plugins: string;
  web: { enable: boolean; title?: string };
  auth: { htpasswd: { file: string; max_users: number } };
  uplinks: Record<string, VerdaccioUplink>;
  packages: Record<string, VerdaccioPackageRule>;
  /** Extra middleware plugins by id (tests inject faults this way). */
  middlewares?: Record<string, Record<string, unknown>>;
  log: { type: 'file'; path: string; format: 'json'; level: string };
  publish: { allow_offline: boolean };
  user_agent: string;
  max_body_size: string;
}

export interface VerdaccioConfigInput {
  paths: VerdaccioPaths;
  /** Verdaccio's uplink URLs, the proxy that serves them (depfence's uplink listener) and the secret it asks for. */
  uplinks: { public: string; internal: string | null; proxy: string; secret: string };
  confusion: NpmConfusionRules;
  network: NetworkConfig;
  /** Filter plugins by id, each with its own settings (depfence passes its bridge here). */
  /** Extra middleware plugins by id (tests inject faults this way). */
  middlewares?: Record<string, Record<string, unknown>>;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
}

export function buildVerdaccioConfig(input: VerdaccioConfigInput): VerdaccioConfig {
  const configPath = join(input.paths.root, 'verdaccio.yaml');
  const { proxy, secret } = input.uplinks;
  const uplinks: Record<string, VerdaccioUplink> = { [PUBLIC_UPLINK]: uplink(input.uplinks.public, proxy, secret, input.network) };
  if (input.uplinks.internal !== null) uplinks[INTERNAL_UPLINK] = uplink(input.uplinks.internal, proxy, secret, input.network);
  return {
    configPath,
    self_path: configPath,
    storage: input.paths.storage,
    plugins: input.paths.plugins,
    web: { enable: false },
    auth: { htpasswd: { file: input.paths.htpasswd, max_users: -1 } },
    uplinks,
    packages: packageRules(input.confusion, input.uplinks.internal !== null),
    ...(input.middlewares ? { middlewares: input.middlewares } : {}),
    // Verdaccio's logger is process-wide and set up by the first instance; it writes to a file so
    // that `depfence serve`'s stdout stays its own.
    log: { type: 'file', path: join(input.paths.root, 'verdaccio.log'), format: 'json', level: input.logLevel ?? 'warn' },
    publish: { allow_offline: false },
    user_agent: 'depfence',
    max_body_size: '10mb',
  };
}

function uplink(url: string, proxy: string, secret: string, network: NetworkConfig): VerdaccioUplink {
  return {
    url,
    http_proxy: proxy,
    cache: true,
    // Verdaccio serves its stored packument this long before asking the uplink again (a 304 then).
    maxage: `${network.cacheTtl}ms`,
    // The listener may retry the registry and stream a big tarball to disk before it answers.
    timeout: `${network.timeout * (network.retries + 1) + 5_000}ms`,
    // After two failures in a row the uplink is skipped (stored data only) for a short while.
    max_fails: 2,
    fail_timeout: '10s',
    agent_options: { keepAlive: true, maxSockets: network.concurrency },
    auth: { type: 'bearer', token: secret },
  };
}
