// A way forward for a version the age gate holds back: when it will be allowed, and the newest
// version allowed now (the highest release below it that every version-level check lets through,
// and, for `depfence pin`, that a declared range accepts). Pure: the times and the clock come in.
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import type { Ecosystem, Finding } from './types.js';
import type { PolicyContext } from './context.js';
import { judgeVersion } from './versions.js';

export interface NewestAllowedQuery {
  ecosystem: Ecosystem;
  name: string;
  canonicalName: string;
  /** The held-back version: candidates are lower than it (and prereleases only if it is one). */
  below: string;
  /** Every version's publish time (npm) or earliest upload time (PyPI). */
  times: ReadonlyMap<string, Date>;
  /** Only versions this accepts (a declared range); default: any. */
  accepts?: (version: string) => boolean;
}

export function newestAllowedVersion(query: NewestAllowedQuery, ctx: PolicyContext, now: Date): string | null {
  const order = ordering(query.ecosystem);
  if (!order.valid(query.below)) return null;
  const prereleaseOk = order.isPrerelease(query.below);
  const candidates = [...query.times.keys()]
    .filter((version) => order.valid(version) && order.compare(version, query.below) < 0 && (prereleaseOk || !order.isPrerelease(version)))
    .sort((a, b) => order.compare(b, a));
  for (const version of candidates) {
    if (query.accepts && !query.accepts(version)) continue;
    const published = query.times.get(version) ?? null;
    const verdict = judgeVersion(
      { ecosystem: query.ecosystem, name: query.name, canonicalName: query.canonicalName, version, published },
      ctx,
      now,
    );
    if (!verdict.hidden) return version;
  }
  return null;
}

/** The age finding of a held-back version, saying which version is allowed now (null: none is). */
export function withNewestAllowed(finding: Finding, newest: string | null): Finding {
  if (finding.check !== 'age' || finding.evidence.allowedFrom === undefined) return finding;
  const now = newest === null ? 'no lower version is allowed now' : `${newest} is allowed now`;
  return { ...finding, message: `${finding.message}; ${now}`, evidence: { ...finding.evidence, newestAllowed: newest } };
}

interface Ordering {
  valid(version: string): boolean;
  compare(a: string, b: string): number;
  isPrerelease(version: string): boolean;
}

function ordering(ecosystem: Ecosystem): Ordering {
  if (ecosystem === 'npm') {
    return {
      valid: (v) => semver.valid(v) !== null,
      compare: (a, b) => semver.compare(a, b),
      isPrerelease: (v) => semver.prerelease(v) !== null,
    };
  }
  return {
    valid: (v) => pep440.valid(v) !== null,
    compare: (a, b) => pep440.compare(a, b),
    isPrerelease: (v) => pep440.explain(v)?.is_prerelease === true || pep440.explain(v)?.is_devrelease === true,
  };
}
