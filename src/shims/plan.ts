// What a shim learned about one invocation before running it: the package-source settings it
// found (and what it does about each), the packages to check first, and the environment that
// makes the firewall the tool's only source.
import type { PackageRef } from './packages.js';
import type { SourceSetting } from './settings.js';

export interface FirewallEndpoint {
  /** `http://127.0.0.1:4874` (no trailing slash). */
  url: string;
  dataDir: string;
  /** server.token: sent with pre-flight requests, and given to the tools when set. */
  token: string | null;
}

export interface ToolPlan {
  /** "pip install", "npm ci": for messages. */
  label: string;
  settings: SourceSetting[];
  packages: PackageRef[];
  /** The tool's environment with the firewall as its only package source. */
  environment(firewall: FirewallEndpoint): NodeJS.ProcessEnv;
}

export interface InspectInput {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  trusted: readonly string[];
  /** The real tool's path (pip's site config lives next to its Python). */
  realTool: string | null;
}

/** The firewall's simple index, with the access token as the password when one is set (pip and uv send it as Basic auth). */
export function pypiSimpleUrl(firewall: FirewallEndpoint): string {
  if (firewall.token === null) return `${firewall.url}/-/pypi/simple/`;
  const url = new URL(`${firewall.url}/-/pypi/simple/`);
  url.username = 'depfence';
  url.password = firewall.token;
  return url.toString();
}

/** Makes paths in messages short: relative to the working directory when under it. */
export function displayPath(cwd: string): (file: string) => string {
  const base = cwd.endsWith('/') ? cwd : `${cwd}/`;
  return (file) => (file.startsWith(base) ? file.slice(base.length) : file);
}

/** Adds the firewall's host to NO_PROXY/no_proxy, so a proxy meant for the internet is not asked for 127.0.0.1. */
export function bypassProxyFor(env: NodeJS.ProcessEnv, firewallUrl: string): void {
  if (!Object.keys(env).some((name) => /^(https?|all)_proxy$/i.test(name) && env[name])) return;
  const host = new URL(firewallUrl).hostname.replace(/^\[|\]$/g, '');
  for (const name of ['NO_PROXY', 'no_proxy']) {
    const current = env[name];
    const entries = (current ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (!entries.includes(host) && !entries.includes('*')) env[name] = [...entries, host].join(',');
  }
}
