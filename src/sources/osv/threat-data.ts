// The threat-data index in force in this process. `refresh()` looks at the index file(s) and, when
// one has changed, loads the new index completely before it replaces the old one in a single
// assignment, so every decision sees one whole index, old or new, and there is never a moment
// without one. An index that cannot be loaded leaves the one in force where it is, and says why.
// Each replacement bumps `generation`, which caches of decisions compare to know they are stale.
import { statSync } from 'node:fs';
import type { AdvisoryLookup, PackageAdvisories } from '../../policy/index.js';
import type { Ecosystem } from '../../names/index.js';
import { indexPath, loadIndex, type IndexMeta, type LoadedIndex } from './index-file.js';

export interface ThreatDataStatus {
  /** The index in force, or null when there is none. */
  file: string | null;
  meta: IndexMeta | null;
  packages: number;
  loadedAt: string | null;
  /** Why the last refresh could not load an index, if it could not. */
  lastError: string | null;
}

export class ThreatData implements AdvisoryLookup {
  #current: LoadedIndex | null = null;
  #loadedAt: Date | null = null;
  #seen = '';
  #lastError: string | null = null;
  #generation = 0;

  /** `candidates` lists the index files to consider; the most recently checked one is used. */
  constructor(private readonly candidates: () => readonly string[]) {}

  static forDataDir(dataDir: string, more: () => readonly string[] = () => []): ThreatData {
    const data = new ThreatData(() => [indexPath(dataDir), ...more()]);
    data.refresh();
    return data;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Loads a changed index. `changed`: a new index is now in force. */
  refresh(): { changed: boolean; error: string | null } {
    const files = this.candidates();
    const identity = files.map(fileIdentity).join('|');
    if (identity === this.#seen) return { changed: false, error: this.#lastError };
    const loaded: LoadedIndex[] = [];
    const errors: string[] = [];
    for (const file of files) {
      if (fileIdentity(file) === 'absent') continue;
      try {
        loaded.push(loadIndex(file));
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    this.#seen = identity;
    this.#lastError = errors.length > 0 ? errors.join('; ') : null;
    const newest = loaded.sort((a, b) => Date.parse(b.meta.checkedAt) - Date.parse(a.meta.checkedAt))[0];
    if (!newest) return { changed: false, error: this.#lastError };
    if (
      this.#current &&
      this.#current.file === newest.file &&
      this.#current.meta.checkedAt === newest.meta.checkedAt &&
      this.#current.meta.builtAt === newest.meta.builtAt
    ) {
      return { changed: false, error: this.#lastError };
    }
    this.#current = newest;
    this.#loadedAt = new Date();
    this.#generation++;
    return { changed: true, error: this.#lastError };
  }

  forPackage(ecosystem: Ecosystem, canonicalName: string): PackageAdvisories | null {
    return this.#current?.forPackage(ecosystem, canonicalName) ?? null;
  }

  status(): ThreatDataStatus {
    const current = this.#current;
    return {
      file: current?.file ?? null,
      meta: current?.meta ?? null,
      packages: current?.size ?? 0,
      loadedAt: this.#loadedAt?.toISOString() ?? null,
      lastError: this.#lastError,
    };
  }
}

function fileIdentity(file: string): string {
  try {
    const stats = statSync(file);
    return `${file}:${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

export interface Freshness {
  state: 'missing' | 'current' | 'stale';
  /** Since the feed was last seen to match the index; null without an index. */
  ageMs: number | null;
  /** One sentence for a person. */
  text: string;
}

/** How old the index in force is, against feeds.osv.maxAge. */
export function freshness(status: ThreatDataStatus, now: Date, maxAgeMs: number, formatAge: (ms: number) => string): Freshness {
  if (!status.meta) {
    const why = status.lastError ? ` (${status.lastError})` : '';
    return {
      state: 'missing',
      ageMs: null,
      text: `no OSV threat-data index${why}: only the bundled malicious lists apply; run depfence update`,
    };
  }
  const ageMs = Math.max(0, now.getTime() - Date.parse(status.meta.checkedAt));
  const { npm, pypi } = status.meta.feeds;
  const counts = `${npm.counts.malicious + pypi.counts.malicious} malicious-package and ${npm.counts.vulnerabilities + pypi.counts.vulnerabilities} vulnerability records`;
  const age = `checked against the feed ${formatAge(ageMs)} ago`;
  if (ageMs > maxAgeMs) {
    return {
      state: 'stale',
      ageMs,
      text: `the OSV threat data is stale: ${age}, longer than feeds.osv.maxAge (${formatAge(maxAgeMs)}); run depfence update (${counts})`,
    };
  }
  return { state: 'current', ageMs, text: `OSV threat data ${age} (${counts})` };
}
