// One OSV record (osv-schema) → what the index keeps of it for one ecosystem: per affected
// package, the advisory (id, aliases, kind, summary, severity, fixed versions) and the versions it
// affects in compact form. Records are untrusted input: anything unreadable is reported and left
// out, never guessed, except that a malicious-package record whose ranges cannot be read is taken
// to affect every version (a firewall does not let malware through on a parsing doubt).
import type { Advisory } from '../../policy/index.js';
import { canonicalName, validateName, type Ecosystem } from '../../names/index.js';
import { affectsEveryVersion, sortEvents, unorderableEvent, type AffectedVersions, type EventKind, type RangeEvent } from './affected.js';
import { higher, severityOf, type AdvisorySeverity } from './severity.js';
import { versionOrder, type VersionOrder } from './version-order.js';

/** The ecosystem names OSV uses in `affected[].package.ecosystem` and in its export paths. */
export const OSV_ECOSYSTEM: Readonly<Record<Ecosystem, string>> = { npm: 'npm', pypi: 'PyPI' };

export interface StoredAdvisory extends Advisory {
  affected: AffectedVersions;
}

export interface PackageAdvisory {
  /** Canonical package name. */
  name: string;
  advisory: StoredAdvisory;
}

export type RecordOutcome =
  | { kind: 'advisory'; id: string; packages: PackageAdvisory[]; warnings: string[] }
  | { kind: 'withdrawn'; id: string }
  /** No affected package of this ecosystem. */
  | { kind: 'elsewhere'; id: string }
  | { kind: 'malformed'; problem: string };

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];
const SUMMARY_MAX = 300;

export function parseOsvRecord(text: string, ecosystem: Ecosystem, now: Date): RecordOutcome {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return { kind: 'malformed', problem: 'not a JSON object' };
    record = parsed;
  } catch (error) {
    return { kind: 'malformed', problem: `not JSON (${(error as Error).message})` };
  }
  const id = record.id;
  if (typeof id !== 'string' || !ID.test(id)) return { kind: 'malformed', problem: `no usable "id" (${excerpt(id, 60)})` };
  if (isWithdrawn(record.withdrawn, now)) return { kind: 'withdrawn', id };
  if (!Array.isArray(record.affected)) return { kind: 'malformed', problem: `${id}: "affected" is not a list` };

  const kind: Advisory['kind'] = id.startsWith('MAL-') ? 'malicious' : 'vulnerability';
  const order = versionOrder(ecosystem);
  const warnings: string[] = [];
  const byName = new Map<string, { affected: AffectedVersions; severity: AdvisorySeverity; unreadable: boolean }>();
  for (const [index, entry] of record.affected.entries()) {
    if (!isObject(entry) || !isObject(entry.package)) {
      warnings.push(`${id}: affected[${index}] has no package`);
      continue;
    }
    if (entry.package.ecosystem !== OSV_ECOSYSTEM[ecosystem]) continue;
    const rawName = entry.package.name;
    const nameProblem = typeof rawName === 'string' ? validateName(ecosystem, rawName) : 'no name';
    if (nameProblem !== null) {
      warnings.push(`${id}: affected[${index}] names no valid ${ecosystem} package (${nameProblem})`);
      continue;
    }
    const name = canonicalName(ecosystem, rawName as string);
    const read = readAffected(entry, order, (problem) => warnings.push(`${id}: ${name}: ${problem}`));
    const severity = severityOf(
      nonEmpty(entry.severity) ?? record.severity,
      isObject(entry.database_specific) && entry.database_specific.severity ? entry.database_specific : record.database_specific,
    );
    const slot = byName.get(name);
    if (!slot) {
      byName.set(name, { affected: read.affected, severity, unreadable: read.unreadable });
      continue;
    }
    slot.affected.versions.push(...read.affected.versions);
    slot.affected.ranges.push(...read.affected.ranges);
    slot.unreadable ||= read.unreadable;
    if (severity.severity !== null && higher(severity.severity, slot.severity.severity)) slot.severity = severity;
  }
  if (byName.size === 0) return warnings.length > 0 ? { kind: 'malformed', problem: warnings.join('; ') } : { kind: 'elsewhere', id };

  const aliases = stringList(record.aliases).slice(0, 50);
  const summary = summaryOf(record, id);
  const packages: PackageAdvisory[] = [];
  for (const [name, { affected, severity, unreadable }] of byName) {
    if (affected.versions.length === 0 && affected.ranges.length === 0) {
      if (kind !== 'malicious' || !unreadable) {
        warnings.push(`${id}: no version of ${name} it affects could be read, so it is left out`);
        continue;
      }
      warnings.push(
        `${id}: the affected versions of ${name} could not be read; as a malicious-package record it is taken to affect every version`,
      );
      affected.ranges.push([['introduced', '0']]);
    }
    const fixed = uniqueSorted(
      affected.ranges.flatMap((events) => events.filter(([event]) => event === 'fixed').map(([, version]) => version)),
      order,
    );
    packages.push({
      name,
      // Fields written out, not spread from a shared object: V8 allocated spread copies straight
      // into the old generation here, which grew an update's heap by the export's size.
      advisory: {
        id,
        aliases,
        kind,
        summary,
        severity: severity.severity,
        score: severity.score,
        severitySource: severity.source,
        fixed,
        everyVersion: affectsEveryVersion(affected),
        affected,
      },
    });
  }
  return { kind: 'advisory', id, packages, warnings };
}

function readAffected(
  entry: Record<string, unknown>,
  order: VersionOrder,
  warn: (problem: string) => void,
): { affected: AffectedVersions; unreadable: boolean } {
  const affected: AffectedVersions = { versions: stringList(entry.versions), ranges: [] };
  let unreadable = false;
  const ranges = entry.ranges === undefined ? [] : entry.ranges;
  if (!Array.isArray(ranges)) {
    warn('"ranges" is not a list');
    return { affected, unreadable: true };
  }
  for (const range of ranges) {
    if (!isObject(range)) {
      warn('a range is not an object');
      unreadable = true;
      continue;
    }
    // GIT ranges need the repository's commit graph; the `versions` list stands for them.
    if (range.type === 'GIT') continue;
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') {
      warn(`a range of unknown type ${JSON.stringify(range.type)} is skipped`);
      unreadable = true;
      continue;
    }
    const events = readEvents(range.events);
    const problem =
      typeof events === 'string'
        ? events
        : events.some(([kind]) => kind === 'introduced')
          ? unorderableEvent(events, order)
          : 'it has no "introduced" event';
    if (problem !== null || typeof events === 'string') {
      warn(`a ${range.type} range is skipped: ${problem}`);
      unreadable = true;
      continue;
    }
    affected.ranges.push(sortEvents(events, order));
  }
  return { affected, unreadable };
}

function readEvents(value: unknown): RangeEvent[] | string {
  if (!Array.isArray(value)) return '"events" is not a list';
  const events: RangeEvent[] = [];
  for (const event of value) {
    const keys = isObject(event) ? Object.keys(event) : [];
    const kind = keys[0] as EventKind | undefined;
    if (keys.length !== 1 || !kind || !EVENT_KINDS.includes(kind) || typeof (event as Record<string, unknown>)[kind] !== 'string') {
      return `an event is not one of ${EVENT_KINDS.join(', ')} with a version (${excerpt(event, 80)})`;
    }
    events.push([kind, (event as Record<string, string>)[kind]!]);
  }
  return events;
}

/** Withdrawn at a time that has come. A time that cannot be read withdraws nothing: the advisory stays in force. */
function isWithdrawn(value: unknown, now: Date): boolean {
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  return !Number.isNaN(time) && time <= now.getTime();
}

function summaryOf(record: Record<string, unknown>, id: string): string {
  const text =
    typeof record.summary === 'string' && record.summary.trim() !== ''
      ? record.summary
      : typeof record.details === 'string'
        ? record.details
        : '';
  const line = text.trim().split('\n', 1)[0]!.trim();
  if (line === '') return `${id} (no summary given)`;
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

function uniqueSorted(versions: string[], order: VersionOrder): string[] {
  return [...new Set(versions)].sort((a, b) => order.compare(a, b));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function nonEmpty(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** A value as the record wrote it, cut to `max` characters (undefined has no JSON text, whatever JSON.stringify's type says). */
function excerpt(value: unknown, max: number): string {
  return (JSON.stringify(value) as string | undefined)?.slice(0, max) ?? 'undefined';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
