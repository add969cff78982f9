// Portable lockfiles: the tarball URLs in served packuments name the upstream registry the package
// comes from (`https://registry.npmjs.org/left-pad/-/left-pad-1.1.0.tgz` for the default
// upstream), not the firewall, so a lockfile written through depfence installs unchanged where
// there is no depfence. The fetch still comes to the firewall: npm swaps a lockfile URL's host for
// the configured registry when `replace-registry-host` says so (the shims set `always`; npm's
// default `npmjs` does it for the public registry's host), keeping the path, which the firewall
// serves at its root.
//
// upstreams.npm.lockfileUrls chooses (auto: only for the public registry, whose host npm swaps by
// default, so a client pointed at the firewall without the shims still fetches through it).
// Only registries served at the root of their origin: npm keeps just the path of a URL it
// rewrites, so `https://host/prefix/name/-/file.tgz` would reach the firewall as
// `/prefix/name/-/file.tgz`, which it does not serve. Such upstreams keep the firewall's URLs.

import type { UpstreamsConfig } from '../../config/index.js';

/** npm's default `replace-registry-host=npmjs` swaps this host, and only this one, for the configured registry. */
const NPM_DEFAULT_SWAPPED_HOST = 'registry.npmjs.org';

export function npmSwapsByDefault(registry: string): boolean {
  const url = new URL(registry);
  return url.protocol === 'https:' && url.hostname === NPM_DEFAULT_SWAPPED_HOST && url.pathname === '/';
}

/**
 * The registry whose tarball URLs a package's packument gives (upstreams.npm.lockfileUrls), or null
 * for the firewall's own: a reserved name published to depfence itself has no registry of its own
 * to name, and a registry below a path prefix keeps the firewall's URLs.
 */
export function lockfileRegistry(npm: UpstreamsConfig['npm'], reserved: boolean): string | null {
  if (reserved && npm.internal === null) return null;
  const registry = reserved ? npm.internal! : npm.registry;
  if (new URL(registry).pathname !== '/') return null;
  switch (npm.lockfileUrls) {
    case 'upstream':
      return registry;
    case 'firewall':
      return null;
    case 'auto':
      return npmSwapsByDefault(registry) ? registry : null;
  }
}

/** The body with every `dist.tarball` moved onto `registry`; the body unchanged when there is nothing to move. */
export function onUpstreamOrigin(body: Buffer, registry: string): Buffer {
  const base = new URL(registry);
  if (base.pathname !== '/') return body;
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  const manifests = isRecord(document) && isRecord(document.versions) ? Object.values(document.versions) : [document];
  let moved = false;
  for (const manifest of manifests) {
    if (!isRecord(manifest) || !isRecord(manifest.dist) || typeof manifest.dist.tarball !== 'string') continue;
    const canonical = moveOrigin(manifest.dist.tarball, base);
    if (canonical !== null && canonical !== manifest.dist.tarball) {
      manifest.dist.tarball = canonical;
      moved = true;
    }
  }
  return moved ? Buffer.from(JSON.stringify(document)) : body;
}

function moveOrigin(url: string, base: URL): string | null {
  try {
    const parsed = new URL(url);
    return new URL(`${parsed.pathname}${parsed.search}`, base.origin).toString();
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
