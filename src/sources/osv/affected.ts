// Which versions an OSV advisory affects, in the compact form the index stores, and the OSV
// evaluation algorithm over it (osv-schema, "Evaluation"): a version is affected when it is in the
// `versions` list or inside any range. A range's events are sorted by version once, when the index
// is built ("0" before every version, a "*" limit after every version); walking them in order, an
// `introduced` at or below the version makes it affected, a `fixed` at or below (or a
// `last_affected` below) makes it unaffected; `limit` events bound the range from above.
import type { VersionOrder } from './version-order.js';
import { sameVersion } from './version-order.js';

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
export type RangeEvent = [EventKind, string];

export interface AffectedVersions {
  versions: string[];
  /** Each range's events, sorted (see above). */
  ranges: RangeEvent[][];
}

/** `introduced: "0"` sorts before every version; a `limit` of "*" after every version. */
function isBottom([kind, version]: RangeEvent): boolean {
  return kind === 'introduced' && version === '0';
}
function isTop([kind, version]: RangeEvent): boolean {
  return kind === 'limit' && version.includes('*');
}

/** Null when every event's version can be ordered; otherwise the first one that cannot. */
export function unorderableEvent(events: readonly RangeEvent[], order: VersionOrder): string | null {
  const bad = events.find((event) => !isBottom(event) && !isTop(event) && !order.valid(event[1]));
  return bad ? `${bad[0]}: ${JSON.stringify(bad[1])}` : null;
}

/** The events in evaluation order (stable for equal versions). All must be orderable. */
export function sortEvents(events: readonly RangeEvent[], order: VersionOrder): RangeEvent[] {
  const rank = (event: RangeEvent) => (isBottom(event) ? -1 : isTop(event) ? 1 : 0);
  return [...events].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? order.compare(a[1], b[1]) : 0));
}

/** Every version, including ones not published yet: a range from "0" with no end at all. */
export function affectsEveryVersion(affected: AffectedVersions): boolean {
  return affected.ranges.some((events) => events.some(isBottom) && events.every(([kind]) => kind === 'introduced'));
}

export function isAffected(version: string, affected: AffectedVersions, order: VersionOrder): boolean {
  if (affected.versions.some((listed) => sameVersion(order, listed, version))) return true;
  if (affected.ranges.length === 0) return false;
  // A version that cannot be ordered cannot be shown to lie outside a range: it meets the advisory.
  if (!order.valid(version)) return true;
  return affected.ranges.some((events) => beforeLimits(version, events, order) && insideRange(version, events, order));
}

function beforeLimits(version: string, events: readonly RangeEvent[], order: VersionOrder): boolean {
  const limits = events.filter(([kind]) => kind === 'limit');
  return limits.length === 0 || limits.some((limit) => isTop(limit) || order.compare(version, limit[1]) < 0);
}

function insideRange(version: string, events: readonly RangeEvent[], order: VersionOrder): boolean {
  let vulnerable = false;
  for (const event of events) {
    const [kind, at] = event;
    if (kind === 'introduced' && (isBottom(event) || order.compare(version, at) >= 0)) vulnerable = true;
    else if (kind === 'fixed' && order.compare(version, at) >= 0) vulnerable = false;
    else if (kind === 'last_affected' && order.compare(version, at) > 0) vulnerable = false;
  }
  return vulnerable;
}

/** The lowest fixing version above `version` (`fixed` must be sorted, lowest first). */
export function upgradeFor(version: string, fixed: readonly string[], order: VersionOrder): string | null {
  if (!order.valid(version)) return null;
  return fixed.find((candidate) => order.compare(candidate, version) > 0) ?? null;
}
