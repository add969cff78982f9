// `depfence update`: the OSV exports for npm and PyPI (`<source>/npm/all.zip`, `<source>/PyPI/all.zip`,
// from the feed URL through the HTTP client, or from a folder laid out the same way) read record by
// record into a new threat-data index, which replaces the old one in one rename. Anything that goes
// wrong before the rename (an unreachable feed, a damaged zip, an export with no records) leaves the
// old index in force and says why. A downloaded export whose ETag has not changed since the index
// was built is not read again; the index is only marked as checked.
import { UpdateError } from './update-error.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ecosystem } from '../../names/index.js';
import type { HttpClient } from '../http.js';
import { processIsAlive } from '../process-alive.js';
import {
  compareKeys,
  feedsDir,
  indexKey,
  indexPath,
  readIndexMeta,
  rewriteHeader,
  writeIndex,
  type FeedCounts,
  type FeedRecord,
  type IndexMeta,
  INDEX_FORMAT,
  INDEX_FORMAT_VERSION,
} from './index-file.js';
import { AdvisorySpill } from './spill.js';
import { OSV_ECOSYSTEM, parseOsvRecord, type StoredAdvisory } from './record.js';
import type { AdvisorySeverity } from './severity.js';
import { zipRecords } from './zip-records.js';

const ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pypi'];

export interface UpdateOptions {
  dataDir: string;
  /** A feed URL (http/https) or a folder holding npm/all.zip and PyPI/all.zip. */
  from: string;
  http: HttpClient;
  /** A download larger than this is refused (feeds.osv.maxBytes). */
  maxBytes: number;
  now?: () => Date;
  /** A record that was skipped, and why. */
  warn?: (message: string) => void;
  /** What the update is doing now. */
  progress?: (message: string) => void;
}

export interface UpdateResult {
  /** false: the feed had not changed since the index was built (it was only marked as checked). */
  rebuilt: boolean;
  file: string;
  meta: IndexMeta;
  bytes: number;
  warnings: number;
}

/** Where an ecosystem's export is: a downloaded or local zip, and what to record as its source. */
interface Export {
  ecosystem: Ecosystem;
  source: string;
  zip: string;
  etag: string | null;
}

export async function updateThreatData(options: UpdateOptions): Promise<UpdateResult> {
  const now = options.now ?? (() => new Date());
  const dir = feedsDir(options.dataDir);
  mkdirSync(dir, { recursive: true });
  removeLeftovers(dir);
  const file = indexPath(options.dataDir);
  const current = currentMeta(file);
  const work = mkdtempSync(join(dir, `download-${process.pid}-`));
  try {
    const isUrl = /^https?:\/\//i.test(options.from);
    const exports = isUrl ? await downloadExports(options, current, work) : localExports(options.from);
    if (exports === 'unchanged') return markChecked(file, current!, now());
    // Awaited here, so the downloads are removed only once they have been read.
    return await build(file, exports, options, now(), work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function localExports(folder: string): Export[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UpdateError(
      `--from ${folder} is neither a folder nor an http(s) URL; give a folder holding npm/all.zip and PyPI/all.zip, or the feed URL`,
    );
  }
  return ECOSYSTEMS.map((ecosystem) => {
    const zip = join(folder, OSV_ECOSYSTEM[ecosystem], 'all.zip');
    if (!existsSync(zip))
      throw new UpdateError(`${zip} does not exist: a feed folder holds npm/all.zip and PyPI/all.zip (the layout of the OSV export)`);
    return { ecosystem, source: zip, zip, etag: null };
  });
}

async function downloadExports(options: UpdateOptions, current: IndexMeta | null, work: string): Promise<Export[] | 'unchanged'> {
  const base = options.from.endsWith('/') ? options.from : `${options.from}/`;
  const urlOf = (ecosystem: Ecosystem) => `${base}${OSV_ECOSYSTEM[ecosystem]}/all.zip`;
  const known = (ecosystem: Ecosystem) => (current?.feeds[ecosystem].source === urlOf(ecosystem) ? current.feeds[ecosystem].etag : null);
  const fetch = async (ecosystem: Ecosystem, conditional: boolean): Promise<Export | 'unchanged'> => {
    const url = urlOf(ecosystem);
    const zip = join(work, `${ecosystem}-all.zip`);
    options.progress?.(`downloading ${url}`);
    const answer = await options.http.download(url, zip, {
      maxBytes: options.maxBytes,
      ifNoneMatch: conditional ? known(ecosystem) : null,
      upstream: { name: 'OSV feed', setting: 'feeds.osv.url' },
    });
    if (answer.status === 404) throw new UpdateError(`the OSV feed has no ${url} (HTTP 404); check feeds.osv.url`);
    if (answer.status === 304) return 'unchanged';
    return { ecosystem, source: url, zip, etag: answer.etag };
  };
  const first = await Promise.all(ECOSYSTEMS.map((ecosystem) => fetch(ecosystem, true)));
  if (first.every((result) => result === 'unchanged')) return 'unchanged';
  // One export changed: the other is read again too, since the index is rebuilt whole.
  return Promise.all(
    first.map(async (result, index) => (result === 'unchanged' ? ((await fetch(ECOSYSTEMS[index]!, false)) as Export) : result)),
  );
}

async function build(file: string, exports: Export[], options: UpdateOptions, now: Date, work: string): Promise<UpdateResult> {
  const spill = new AdvisorySpill(join(work, 'advisories.spill'));
  try {
    const severities = new SeverityByAlias();
    const unscored = new Map<number, string[]>();
    const feeds = {} as Record<Ecosystem, FeedRecord>;
    let warnings = 0;
    const warn = (message: string) => {
      warnings++;
      options.warn?.(message);
    };
    for (const feed of exports) {
      options.progress?.(`reading ${feed.source}`);
      const counts: FeedCounts = { records: 0, malicious: 0, vulnerabilities: 0, withdrawn: 0, malformed: 0, packages: 0 };
      const keysBefore = spill.keys;
      for await (const item of zipRecords(feed.zip)) {
        if (item.kind === 'skipped') {
          warn(`${feed.source}: ${item.file} skipped: ${item.reason}`);
          continue;
        }
        counts.records++;
        const outcome = parseOsvRecord(item.text, feed.ecosystem, now);
        if (outcome.kind === 'malformed') {
          counts.malformed++;
          warn(`${feed.source}: ${item.file} skipped: ${outcome.problem}`);
          continue;
        }
        if (outcome.kind === 'withdrawn') counts.withdrawn++;
        if (outcome.kind !== 'advisory') continue;
        outcome.warnings.forEach((message) => warn(`${feed.source}: ${message}`));
        if (outcome.packages.length === 0) continue;
        if (outcome.packages[0]!.advisory.kind === 'malicious') counts.malicious++;
        else counts.vulnerabilities++;
        for (const { name, advisory } of outcome.packages) {
          const place = spill.add(indexKey(feed.ecosystem, name), JSON.stringify(advisory));
          if (advisory.kind !== 'vulnerability') continue;
          if (advisory.severity === null) unscored.set(place, [advisory.id, ...advisory.aliases]);
          else severities.add(advisory);
        }
      }
      // Keys are ecosystem-prefixed, so the new ones are this export's packages.
      counts.packages = spill.keys - keysBefore;
      if (counts.records === 0)
        throw new UpdateError(`${feed.source} holds no OSV records; the index was not replaced (is it the right file?)`);
      if (counts.malformed * 2 > counts.records) {
        throw new UpdateError(
          `${feed.source}: ${counts.malformed} of ${counts.records} records could not be read; the index was not replaced (is it an OSV export?)`,
        );
      }
      feeds[feed.ecosystem] = { source: feed.source, etag: feed.etag, counts };
    }
    // A record without a severity (many PYSEC records) takes the highest of the records it aliases.
    const revise = (place: number, json: string): string => {
      const ids = unscored.get(place);
      const inherited = ids && severities.best(ids);
      if (!inherited) return json;
      const advisory = JSON.parse(json) as StoredAdvisory;
      return JSON.stringify({
        ...advisory,
        severity: inherited.severity,
        score: inherited.score,
        severitySource: `${inherited.id}: ${inherited.source}`,
      });
    };
    options.progress?.(`writing ${file}`);
    const builtAt = now.toISOString();
    const meta: IndexMeta = { format: INDEX_FORMAT, formatVersion: INDEX_FORMAT_VERSION, builtAt, checkedAt: builtAt, feeds };
    const bytes = writeIndex(file, meta, spill.entries(compareKeys, revise));
    return { rebuilt: true, file, meta, bytes, warnings };
  } finally {
    spill.close();
  }
}

/** Severities of scored vulnerabilities, by their id and each alias. */
class SeverityByAlias {
  readonly #byId = new Map<string, AdvisorySeverity & { id: string }>();

  add(advisory: StoredAdvisory): void {
    const entry = { id: advisory.id, severity: advisory.severity, score: advisory.score, source: advisory.severitySource };
    for (const id of [advisory.id, ...advisory.aliases]) {
      const known = this.#byId.get(id);
      if (!known || (entry.score ?? -1) > (known.score ?? -1)) this.#byId.set(id, entry);
    }
  }

  best(ids: readonly string[]): (AdvisorySeverity & { id: string }) | null {
    let best: (AdvisorySeverity & { id: string }) | null = null;
    for (const id of ids) {
      const found = this.#byId.get(id);
      if (found && (!best || (found.score ?? -1) > (best.score ?? -1))) best = found;
    }
    return best;
  }
}

function markChecked(file: string, current: IndexMeta, now: Date): UpdateResult {
  const meta: IndexMeta = { ...current, checkedAt: now.toISOString() };
  const bytes = rewriteHeader(file, meta);
  return { rebuilt: false, file, meta, bytes, warnings: 0 };
}

function currentMeta(file: string): IndexMeta | null {
  try {
    return readIndexMeta(file);
  } catch {
    return null;
  }
}

/** Temporary files and downloads of updates that died (their process is gone). */
function removeLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(/^(?:osv-index\.tmp-|download-)(\d+)-/.exec(name)?.[1] ?? NaN);
    if (Number.isNaN(pid) || processIsAlive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}
