// depfence's version filter, the one Verdaccio runs (through the plugin bridge) on every packument
// it reads: cache hits, fresh fetches, stale copies while the uplink is down, and the metadata it
// checks before serving a tarball. The work is a sequence of named steps:
//   judgeVersions (+ unservableVersions) → hideVersions → fixDistTags → keepTimeConsistent
// In report mode the policy hides nothing (the verdicts are still recorded and logged by the
// routes); a version whose tarball is on a host depfence does not fetch from is hidden in any mode.
//
// Verdaccio serves the unfiltered packument when a filter throws, so this one never throws: any
// failure hides every version, is logged at warn and recorded, and the tarball guard refuses the
// package's tarballs with the reason.
import type { PolicyContext } from '../../../policy/index.js';
import { fixDistTags } from './dist-tags.js';
import { hideVersions } from './hide-versions.js';
import { hiddenVersions, judgeVersions } from './judge.js';
import { asPackument, tarballFilename, type Packument } from './packument.js';
import { isRecord } from '../../../protocol/npm/packument.js';
import { unservableVersions } from './tarball-host.js';
import { keepTimeConsistent } from './time.js';
import { unreadableVersions } from './unreadable-versions.js';
import type { PackageRecord, VerdictBook, VersionRecord } from './verdict-book.js';

export interface VersionFilterOptions {
  context: PolicyContext;
  now: () => Date;
  /** false in report mode: judge and record, hide nothing. */
  enforce: boolean;
  book: VerdictBook;
  warn: (message: string) => void;
  /** Why a tarball URL of the named package is not fetched, or null (see tarball-host.ts); hidden in every mode. */
  tarballProblem?: (packageName: string, url: string) => string | null;
}

/** Verdaccio's ManifestFilter shape. */
export interface ManifestFilter {
  filter_metadata(manifest: unknown): Promise<unknown>;
}

export function createVersionFilter(options: VersionFilterOptions): ManifestFilter {
  return {
    filter_metadata: async (manifest) => filterPackument(manifest, options),
  };
}

export function filterPackument(manifest: unknown, options: VersionFilterOptions): unknown {
  try {
    const packument = asPackument(manifest);
    const now = options.now();
    const verdicts = judgeVersions(packument, options.context, now);
    const problemOf = options.tarballProblem;
    const unservable = new Map([...unservableVersions(packument, problemOf && ((url) => problemOf(packument.name, url))), ...unreadableVersions(packument)]);
    options.book.set(recordOf(packument, now, (version) => ({
      hiddenBy: [...(verdicts.get(version)?.findings ?? []), ...(unservable.has(version) ? [unservable.get(version)!] : [])],
      warnings: verdicts.get(version)?.warnings ?? [],
    })));
    // Report mode hides nothing the policy decided, but a version depfence cannot read, or whose
    // tarball it will not fetch, stays hidden.
    const hidden = new Set([...(options.enforce ? hiddenVersions(verdicts) : []), ...unservable.keys()]);
    if (hidden.size === 0) return manifest;
    return withoutVersions(packument, hidden);
  } catch (error) {
    return failClosed(manifest, error, options);
  }
}

/** Steps 2–4 over the judged packument. */
export function withoutVersions(packument: Packument, hidden: ReadonlySet<string>): Packument {
  const filtered = hideVersions(packument, hidden);
  const remaining = new Set(Object.keys(filtered.versions));
  const { tags, latestRemoved } = fixDistTags(packument['dist-tags'], remaining);
  const time = keepTimeConsistent(packument.time, remaining);
  return {
    ...filtered,
    'dist-tags': latestRemoved ? withoutLatestForVerdaccio(tags) : tags,
    ...(time === undefined ? {} : { time }),
  };
}

/**
 * Verdaccio fills in a missing `latest` after the filters (with the highest version, prereleases
 * included), which would undo "no stable version is left at or below the old latest". It leaves a
 * `latest` that is truthy alone, then deletes an empty-array tag: so an empty array ends as no tag.
 */
function withoutLatestForVerdaccio(tags: Record<string, string>): Record<string, string> {
  return { ...tags, latest: [] as unknown as string };
}

function recordOf(packument: Packument, judgedAt: Date, findingsOf: (version: string) => Pick<VersionRecord, 'hiddenBy' | 'warnings'>): PackageRecord {
  const versions = new Map<string, VersionRecord>();
  for (const [version, manifest] of Object.entries(packument.versions)) {
    const dist: Record<string, unknown> = isRecord(manifest) && isRecord(manifest.dist) ? manifest.dist : {};
    versions.set(version, {
      version,
      file: tarballFilename(manifest),
      integrity: typeof dist.integrity === 'string' ? dist.integrity : null,
      shasum: typeof dist.shasum === 'string' ? dist.shasum : null,
      ...findingsOf(version),
    });
  }
  return { name: packument.name, judgedAt, versions, failure: null };
}

function failClosed(manifest: unknown, error: unknown, options: VersionFilterOptions): unknown {
  const reason = `depfence's version filter failed (${error instanceof Error ? error.message : String(error)}), so every version is hidden`;
  const name = typeof (manifest as { name?: unknown } | null)?.name === 'string' ? (manifest as { name: string }).name : null;
  options.warn(`${name ?? 'a package'}: ${reason}`);
  if (name !== null) options.book.set({ name, judgedAt: options.now(), versions: new Map(), failure: reason });
  // Report mode lets everything through, this too (the warning says what enforce mode would do).
  if (!options.enforce) return manifest;
  const base = typeof manifest === 'object' && manifest !== null ? manifest : { name: name ?? 'unknown' };
  return { ...base, versions: {}, 'dist-tags': {}, time: {}, _distfiles: {} };
}
