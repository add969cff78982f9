// Where a version's tarball may come from: the registry the package is served from (the public
// one, or the internal one for reserved names), and nowhere else. A packument that points a
// tarball at another host (another port on this machine, a link-local or private address, a
// `file:` URL, a public host nobody configured) would make the firewall fetch from it; such a
// version is hidden in every mode, with the reason, and never fetched.
import type { Finding } from '../../../policy/index.js';
import { tarballUrl } from '../../../protocol/npm/packument.js';
import type { Packument } from './packument.js';

/** Null when `url` is on `registry`'s origin; otherwise why the tarball is not fetched. */
export function tarballUrlProblem(url: string, registry: string, setting: string): string | null {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return `its tarball URL "${url}" is not a URL`;
  }
  const own = new URL(registry);
  if (target.origin === own.origin && !target.username && !target.password) return null;
  return `its tarball is hosted at ${url}, not on the registry ${own.origin} depfence is configured with (${setting}), so depfence does not fetch it`;
}

/** The versions whose tarball URL `problemOf` refuses, each with its finding. */
export function unservableVersions(packument: Packument, problemOf: ((url: string) => string | null) | undefined): Map<string, Finding> {
  const unservable = new Map<string, Finding>();
  if (!problemOf) return unservable;
  for (const [version, manifest] of Object.entries(packument.versions)) {
    const url = tarballUrl(manifest);
    if (url === null) continue;
    const problem = problemOf(url);
    if (problem !== null) {
      unservable.set(version, {
        check: 'source',
        severity: 'deny',
        message: `${packument.name}@${version}: ${problem}`,
        evidence: { tarball: url },
      });
    }
  }
  return unservable;
}
