// Steps 2–4 of the version filter over a judged packument: drop the hidden versions, fix the
// dist-tags, keep `time` in step. Pure; used where the filter runs (inside the registry process).
import { fixDistTags } from './dist-tags.js';
import { hideVersions } from './hide-versions.js';
import { asPackument, type Packument } from './packument.js';
import { keepTimeConsistent } from './time.js';

export interface FilteredPackument {
  packument: Packument;
  /** The packument had a `latest` and no stable version at or below it is left. */
  latestRemoved: boolean;
}

export function withoutVersions(packument: Packument, hidden: ReadonlySet<string>): FilteredPackument {
  const filtered = hideVersions(packument, hidden);
  const remaining = new Set(Object.keys(filtered.versions));
  const { tags, latestRemoved } = fixDistTags(packument['dist-tags'], remaining);
  const time = keepTimeConsistent(packument.time, remaining);
  return { packument: { ...filtered, 'dist-tags': tags, ...(time === undefined ? {} : { time }) }, latestRemoved };
}

/** A judgement applied to the manifest Verdaccio handed the filter: 'all' hides every version. */
export function applyJudgement(manifest: unknown, hidden: ReadonlySet<string> | 'all'): unknown {
  if (hidden === 'all') {
    const base = typeof manifest === 'object' && manifest !== null ? manifest : {};
    return { ...base, versions: {}, 'dist-tags': {}, time: {} };
  }
  if (hidden.size === 0) return manifest;
  return withoutVersions(asPackument(manifest), hidden).packument;
}
