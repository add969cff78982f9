// Step 3: dist-tags that still make sense. A tag pointing at a version that is gone is dropped.
// If `latest` went, the new `latest` is the highest remaining stable version by semver that is not
// higher than the old one (publish times cannot be trusted for this: mirrors re-stamp them, and a
// fresh backport would win); if there is none, there is no `latest` and npm picks the highest
// stable version that satisfies the range it was given.
import semver from 'semver';

export interface FixedTags {
  tags: Record<string, string>;
  /** true when the packument had a `latest` and no replacement exists. */
  latestRemoved: boolean;
}

export function fixDistTags(tags: Readonly<Record<string, string>>, remaining: ReadonlySet<string>): FixedTags {
  const kept = Object.fromEntries(Object.entries(tags).filter(([, version]) => remaining.has(version)));
  const oldLatest = tags.latest;
  if (oldLatest === undefined || remaining.has(oldLatest)) return { tags: kept, latestRemoved: false };
  const replacement = highestStableAtMost([...remaining], oldLatest);
  if (replacement === null) return { tags: kept, latestRemoved: true };
  return { tags: { ...kept, latest: replacement }, latestRemoved: false };
}

/** The highest non-prerelease version in `versions` that is ≤ `ceiling` (any, if the ceiling is not semver). */
export function highestStableAtMost(versions: readonly string[], ceiling: string): string | null {
  const limit = semver.valid(ceiling);
  const candidates = versions.filter(
    (version) => semver.valid(version) !== null && semver.prerelease(version) === null && (limit === null || semver.lte(version, limit)),
  );
  return semver.rsort(candidates)[0] ?? null;
}
