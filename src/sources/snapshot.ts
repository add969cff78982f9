// The bundled download snapshots (config/snapshots/{npm,pypi}-downloads.tsv.gz): the offline
// source of download counts and of the popular names. Format (written by
// scripts/build-snapshots.ts): `# key: value` header lines (source, licence, date, covers, floor,
// rounded, sorted), then `name<TAB>downloads` lines sorted by canonical name (npm: lowercase,
// PyPI: PEP 503), ties most downloaded first.
import { DataFileError } from './data-file-error.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Ecosystem } from '../policy/types.js';
import { canonicalName } from '../names/index.js';
import { packageFile } from './package-root.js';

export interface SnapshotEntry {
  /** The name as the registry spells it (npm legacy names keep their case: `JSONStream`). */
  name: string;
  downloads: number;
}

export interface DownloadSnapshot {
  ecosystem: Ecosystem;
  /** Which packages the snapshot lists, in words (`# covers:`). */
  covers: string;
  /** Every package with at least this many downloads is listed; a name that is absent had fewer. */
  floor: number;
  /** When the counts were taken (`# date:`). */
  dataDate: string;
  /** Where the counts come from (`# source:`). */
  source: string;
  /** How the counts were rounded (`# rounded:`), `no` when exact. */
  rounded: string;
  /** The file it was read from. */
  file: string;
  /** Downloads last month, or undefined when the name is not listed (it had fewer than `floor`). */
  count(name: string): number | undefined;
  /** Every entry, most downloaded first. */
  entries(): Iterable<SnapshotEntry>;
  size: number;
}

export function defaultSnapshotFile(ecosystem: Ecosystem): string {
  return packageFile('config', 'snapshots', `${ecosystem}-downloads.tsv.gz`);
}

/** How the rows are ordered (the `# sorted:` header): what lets lookups binary-search the lines. */
export const SORTED = 'by canonical name';

const loaded = new Map<string, DownloadSnapshot>();

/** Reads a snapshot once per process (later calls for the same file return the same object). */
export function loadDownloadSnapshot(ecosystem: Ecosystem, file: string = defaultSnapshotFile(ecosystem)): DownloadSnapshot {
  const path = resolve(file);
  const key = `${ecosystem}\0${path}`;
  let snapshot = loaded.get(key);
  if (!snapshot) {
    snapshot = parseSnapshot(ecosystem, readSnapshotText(path), path);
    loaded.set(key, snapshot);
  }
  return snapshot;
}

function readSnapshotText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw snapshotError(path, `cannot be read (${(err as Error).message}); reinstall depfence or run \`npm run snapshots\``);
  }
  return (isGzip(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
}

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function parseSnapshot(ecosystem: Ecosystem, text: string, file: string): DownloadSnapshot {
  const lines = text.split('\n');
  const header = new Map<string, string>();
  let first = 0;
  for (; first < lines.length && lines[first]!.startsWith('#'); first++) {
    const field = /^#\s*([a-z-]+):\s*(.*)$/.exec(lines[first]!);
    if (field) header.set(field[1]!, field[2]!.trim());
  }
  let end = lines.length;
  while (end > first && lines[end - 1] === '') end--;
  const floor = Number(requireField(header, 'floor', file));
  if (!Number.isInteger(floor) || floor < 0) throw snapshotError(file, `has a malformed "# floor:" header (${header.get('floor')})`);
  if (!requireField(header, 'sorted', file).startsWith(SORTED)) throw snapshotError(file, `is not sorted "${SORTED}"; rebuild it with \`npm run snapshots\``);
  const table: Table = { ecosystem, file, lines, first, end, byDownloads: null };
  checkSortedSample(table);
  return {
    ecosystem,
    covers: requireField(header, 'covers', file),
    floor,
    dataDate: requireField(header, 'date', file),
    source: requireField(header, 'source', file),
    rounded: header.get('rounded') ?? 'no',
    file,
    size: end - first,
    count: (name) => count(table, name),
    entries: () => entries(table),
  };
}

/**
 * The rows stay the file's lines, sorted by canonical name: a lookup is a binary search, and
 * loading builds no index (a Map of 227k npm names took most of the load time).
 */
interface Table {
  ecosystem: Ecosystem;
  file: string;
  lines: string[];
  /** Rows are lines[first..end). */
  first: number;
  end: number;
  /** Row indexes and their downloads, most downloaded first; built by the first entries() call. */
  byDownloads: { rows: Uint32Array; downloads: Float64Array } | null;
}

function rowName(table: Table, row: number): string {
  const line = table.lines[row]!;
  const tab = line.indexOf('\t');
  if (tab <= 0) throw malformedRow(table, row);
  return line.slice(0, tab);
}

function rowDownloads(table: Table, row: number): number {
  const line = table.lines[row]!;
  const downloads = Number(line.slice(line.indexOf('\t') + 1));
  if (!Number.isInteger(downloads) || downloads < 0) throw malformedRow(table, row);
  return downloads;
}

function rowKey(table: Table, row: number): string {
  return canonicalName(table.ecosystem, rowName(table, row));
}

/** The exact spelling wins (npm `JSONStream` and `jsonstream` are different packages), then the canonical name. */
function count(table: Table, name: string): number | undefined {
  const key = canonicalName(table.ecosystem, name);
  let row = lowerBound(table, key);
  const firstMatch = row;
  for (; row < table.end && rowKey(table, row) === key; row++) {
    if (rowName(table, row) === name) return rowDownloads(table, row);
  }
  return row > firstMatch ? rowDownloads(table, firstMatch) : undefined;
}

/** The first row whose canonical name is not below `key`. */
function lowerBound(table: Table, key: string): number {
  let low = table.first;
  let high = table.end;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rowKey(table, mid) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function* entries(table: Table): Generator<SnapshotEntry> {
  const { rows, downloads } = (table.byDownloads ??= sortByDownloads(table));
  for (let i = 0; i < rows.length; i++) yield { name: rowName(table, rows[i]!), downloads: downloads[i]! };
}

/**
 * Row indexes, most downloaded first (ties in file order). Packs (max - downloads, row) into one
 * float so a native numeric sort does the work: several times faster than a comparator.
 */
function sortByDownloads(table: Table): { rows: Uint32Array; downloads: Float64Array } {
  const count = table.end - table.first;
  const downloads = new Float64Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, (downloads[i] = rowDownloads(table, table.first + i)));
  const span = 2 ** Math.ceil(Math.log2(count + 1));
  const rows = new Uint32Array(count);
  if ((max + 1) * span > Number.MAX_SAFE_INTEGER) {
    rows.forEach((_, i) => (rows[i] = i));
    rows.sort((a, b) => downloads[b]! - downloads[a]! || a - b);
  } else {
    const keys = downloads.map((value, i) => (max - value) * span + i).sort();
    keys.forEach((key, i) => (rows[i] = key % span));
  }
  return { rows: rows.map((i) => i + table.first), downloads: Float64Array.from(rows, (i) => downloads[i]!) };
}

/** Catches a file in another order (which would make lookups miss) without reading every row. */
function checkSortedSample(table: Table): void {
  const step = Math.max(1, Math.floor((table.end - table.first) / 2000));
  for (let row = table.first + 1; row < table.end; row += step) {
    if (rowKey(table, row - 1) > rowKey(table, row)) {
      throw snapshotError(table.file, `is not sorted by canonical name at line ${row + 1}; rebuild it with \`npm run snapshots\``);
    }
  }
}

function malformedRow(table: Table, row: number): Error {
  return snapshotError(table.file, `line ${row + 1} is not "name<TAB>downloads": ${JSON.stringify(table.lines[row]!.slice(0, 80))}`);
}

function requireField(header: Map<string, string>, key: string, file: string): string {
  const value = header.get(key);
  if (!value) throw snapshotError(file, `has no "# ${key}:" header line; rebuild it with \`npm run snapshots\``);
  return value;
}

function snapshotError(file: string, problem: string): DataFileError {
  return new DataFileError('ESNAPSHOT', file, 0, `download snapshot ${file} ${problem}`);
}
