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

export interface ScopeSummary {
  /** The downloads of every listed package in the scope, added up. */
  total: number;
  /** Its most downloaded package (the first listed, on a tie). */
  leader: SnapshotEntry;
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
  /**
   * The entries with at least `atLeast` downloads (default all), most downloaded first (ties in file
   * order), at most `limit` of them. Reads every row's count, so a malformed row is an error here.
   */
  mostDownloaded(options?: { atLeast?: number; limit?: number }): SnapshotEntry[];
  /** npm scopes (lowercase, without '@'): their packages' downloads added up, and the most downloaded one. Built once. */
  scopes(): ReadonlyMap<string, ScopeSummary>;
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
    snapshot = parseSnapshot(ecosystem, readSnapshotBytes(path), path);
    loaded.set(key, snapshot);
  }
  return snapshot;
}

function readSnapshotBytes(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw snapshotError(path, `cannot be read (${(err as Error).message}); reinstall depfence or run \`npm run snapshots\``);
  }
  return isGzip(bytes) ? gunzipSync(bytes) : bytes;
}

function isGzip(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const NEWLINE = 0x0a;
const TAB = 0x09;
const HASH = 0x23;
const AT = 0x40;
const SLASH = 0x2f;

export function parseSnapshot(ecosystem: Ecosystem, content: string | Buffer, file: string): DownloadSnapshot {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const header = new Map<string, string>();
  let headerLines = 0;
  let offset = 0;
  while (offset < bytes.length && bytes[offset] === HASH) {
    const end = lineEnd(bytes, offset);
    const field = /^#\s*([a-z-]+):\s*(.*)$/.exec(bytes.toString('utf8', offset, end));
    if (field) header.set(field[1]!, field[2]!.trim());
    headerLines++;
    offset = end + 1;
  }
  const floor = Number(requireField(header, 'floor', file));
  if (!Number.isInteger(floor) || floor < 0) throw snapshotError(file, `has a malformed "# floor:" header (${header.get('floor')})`);
  if (!requireField(header, 'sorted', file).startsWith(SORTED))
    throw snapshotError(file, `is not sorted "${SORTED}"; rebuild it with \`npm run snapshots\``);
  const table: Table = { ecosystem, file, bytes, headerLines, ...rowStarts(bytes, offset) };
  checkSortedSample(table);
  let scopes: Map<string, ScopeSummary> | undefined;
  return {
    ecosystem,
    covers: requireField(header, 'covers', file),
    floor,
    dataDate: requireField(header, 'date', file),
    source: requireField(header, 'source', file),
    rounded: header.get('rounded') ?? 'no',
    file,
    size: table.size,
    count: (name) => count(table, name),
    mostDownloaded: ({ atLeast = 0, limit = Infinity } = {}) => mostDownloaded(table, atLeast, limit),
    scopes: () => (scopes ??= summariseScopes(table)),
  };
}

/**
 * The rows stay the file's bytes, sorted by canonical name: a lookup is a binary search that
 * decodes the few names it compares, and loading makes no object per row (a Map of 227k npm
 * names took most of the load time; a string per row, most of its memory and garbage collection).
 */
interface Table {
  ecosystem: Ecosystem;
  file: string;
  bytes: Buffer;
  /** Lines before the first row (for line numbers in errors). */
  headerLines: number;
  /** Row i is bytes [starts[i], starts[i + 1] - 1): its newline left out. */
  starts: Int32Array;
  size: number;
}

/** Where each row starts, from `offset` on; empty lines at the end are not rows. */
function rowStarts(bytes: Buffer, offset: number): { starts: Int32Array; size: number } {
  // indexOf finds each newline natively: a byte-by-byte loop here was a tenth of serve's start.
  let lines = 0;
  for (let i = bytes.indexOf(NEWLINE, offset); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
  const starts = new Int32Array(lines + 2);
  let size = 0;
  starts[0] = offset;
  for (let i = bytes.indexOf(NEWLINE, offset); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) starts[++size] = i + 1;
  // The last line has no newline: it ends where the bytes do.
  if (starts[size]! < bytes.length) starts[++size] = bytes.length + 1;
  while (size > 0 && starts[size - 1]! + 1 === starts[size]) size--;
  return { starts, size };
}

function lineEnd(bytes: Buffer, offset: number): number {
  const end = bytes.indexOf(NEWLINE, offset);
  return end === -1 ? bytes.length : end;
}

/** Where the row's tab is. */
function rowTab(table: Table, row: number): number {
  const start = table.starts[row]!;
  const tab = table.bytes.indexOf(TAB, start);
  if (tab <= start || tab >= table.starts[row + 1]! - 1) throw malformedRow(table, row);
  return tab;
}

function rowName(table: Table, row: number): string {
  return table.bytes.toString('utf8', table.starts[row], rowTab(table, row));
}

/** The count after the tab: decimal digits only (read from the end of the row, the fastest way in). */
function rowDownloads(table: Table, row: number): number {
  const { bytes } = table;
  const start = table.starts[row]!;
  const end = table.starts[row + 1]! - 1;
  let downloads = 0;
  let scale = 1;
  let i = end - 1;
  for (; i > start; i--, scale *= 10) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) break;
    downloads += digit * scale;
  }
  if (i === end - 1 || i === start || bytes[i] !== TAB) throw malformedRow(table, row);
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
  for (; row < table.size && rowKey(table, row) === key; row++) {
    if (rowName(table, row) === name) return rowDownloads(table, row);
  }
  return row > firstMatch ? rowDownloads(table, firstMatch) : undefined;
}

/** The first row whose canonical name is not below `key`. */
function lowerBound(table: Table, key: string): number {
  let low = 0;
  let high = table.size;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rowKey(table, mid) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

function mostDownloaded(table: Table, atLeast: number, limit: number): SnapshotEntry[] {
  const rows: number[] = [];
  const downloads: number[] = [];
  for (let row = 0; row < table.size; row++) {
    const count = rowDownloads(table, row);
    if (count >= atLeast) {
      rows.push(row);
      downloads.push(count);
    }
  }
  const order = byDownloads(downloads);
  const taken = Math.min(limit, order.length);
  const entries = new Array<SnapshotEntry>(taken);
  for (let i = 0; i < taken; i++) entries[i] = { name: rowName(table, rows[order[i]!]!), downloads: downloads[order[i]!]! };
  return entries;
}

/**
 * Indexes into `downloads`, most downloaded first (ties in index order). Packs (max - downloads,
 * index) into one float so a native numeric sort does the work: several times faster than a comparator.
 */
function byDownloads(downloads: readonly number[]): Uint32Array {
  const count = downloads.length;
  const max = downloads.reduce((a, b) => Math.max(a, b), 0);
  const span = 2 ** Math.ceil(Math.log2(count + 1));
  const order = new Uint32Array(count);
  if ((max + 1) * span > Number.MAX_SAFE_INTEGER) {
    order.forEach((_, i) => (order[i] = i));
    return order.sort((a, b) => downloads[b]! - downloads[a]! || a - b);
  }
  const keys = Float64Array.from(downloads, (value, i) => (max - value) * span + i).sort();
  keys.forEach((key, i) => (order[i] = key % span));
  return order;
}

/**
 * Reads the scoped rows; a scope's name is decoded only where it differs from the previous row's
 * (sorted rows keep a scope's packages together, but any order gives the same totals).
 */
function summariseScopes(table: Table): Map<string, ScopeSummary> {
  const { bytes, starts } = table;
  // Scope number → its total, leader row and leader's downloads, in typed arrays: totals pass 2^31,
  // which in object fields would change their representation (and the JIT's code) midway.
  const ids = new Map<string, number>();
  const totals = new Float64Array(table.size);
  const leaderRows = new Int32Array(table.size);
  const leaderDownloads = new Float64Array(table.size).fill(-1);
  let current = -1;
  let currentStart = -1;
  let currentLength = 0;
  for (let row = 0; row < table.size; row++) {
    const start = starts[row]!;
    if (bytes[start] !== AT) continue;
    const end = starts[row + 1]! - 1;
    // The scope is the same as the last row's while the bytes up to its '/' are.
    let slash = start + 1;
    let same = current !== -1;
    for (; slash < end && bytes[slash] !== SLASH; slash++) same &&= bytes[slash] === bytes[currentStart + slash - start];
    if (slash >= end) throw malformedRow(table, row);
    const length = slash - start;
    const downloads = rowDownloads(table, row);
    if (current === -1 || !same || length !== currentLength) {
      const scope = bytes.toString('utf8', start + 1, slash).toLowerCase();
      let id = ids.get(scope);
      if (id === undefined) ids.set(scope, (id = ids.size));
      current = id;
      currentStart = start;
      currentLength = length;
    }
    totals[current]! += downloads;
    if (downloads > leaderDownloads[current]!) {
      leaderRows[current] = row;
      leaderDownloads[current] = downloads;
    }
  }
  const summaries = new Map<string, ScopeSummary>();
  for (const [scope, id] of ids) {
    summaries.set(scope, { total: totals[id]!, leader: { name: rowName(table, leaderRows[id]!), downloads: leaderDownloads[id]! } });
  }
  return summaries;
}

/** Catches a file in another order (which would make lookups miss) without reading every row. */
function checkSortedSample(table: Table): void {
  const step = Math.max(1, Math.floor(table.size / 2000));
  for (let row = 1; row < table.size; row += step) {
    if (rowKey(table, row - 1) > rowKey(table, row)) {
      throw snapshotError(
        table.file,
        `is not sorted by canonical name at line ${lineNumber(table, row)}; rebuild it with \`npm run snapshots\``,
      );
    }
  }
}

function lineNumber(table: Table, row: number): number {
  return table.headerLines + row + 1;
}

function malformedRow(table: Table, row: number): Error {
  const start = table.starts[row]!;
  const text = table.bytes.toString('utf8', start, Math.min(table.starts[row + 1]! - 1, start + 80));
  return snapshotError(table.file, `line ${lineNumber(table, row)} is not "name<TAB>downloads": ${JSON.stringify(text)}`);
}

function requireField(header: Map<string, string>, key: string, file: string): string {
  const value = header.get(key);
  if (!value) throw snapshotError(file, `has no "# ${key}:" header line; rebuild it with \`npm run snapshots\``);
  return value;
}

function snapshotError(file: string, problem: string): DataFileError {
  return new DataFileError('ESNAPSHOT', file, 0, `download snapshot ${file} ${problem}`);
}
