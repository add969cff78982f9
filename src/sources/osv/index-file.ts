// The threat-data index on disk (<dataDir>/feeds/osv-index): a JSON header line saying what it
// was built from, when, and how many records of each kind it holds; then one line per package,
// `ecosystem TAB name TAB [advisories as JSON]`, sorted by `ecosystem TAB name TAB`. A reader keeps
// the file as one buffer with an array of line offsets and finds a package by binary search, so
// loading costs one read and a newline scan, and a package is parsed only when it is asked about.
// Written to a temporary file, flushed and renamed over the old one: a reader sees the old index or
// the new one, and a writer that dies leaves the old one in force.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AffectingAdvisory, PackageAdvisories } from '../../policy/index.js';
import type { Ecosystem } from '../../names/index.js';
import { isAffected, upgradeFor } from './affected.js';
import type { StoredAdvisory } from './record.js';
import { versionOrder } from './version-order.js';
import { BufferedWriter } from './buffered-writer.js';

export const INDEX_FORMAT = 'depfence-osv-index';
export const INDEX_FORMAT_VERSION = 1;

export interface FeedCounts {
  /** Records read from the export. */
  records: number;
  malicious: number;
  vulnerabilities: number;
  withdrawn: number;
  /** Records that could not be read (each reported as a warning). */
  malformed: number;
  /** Packages with at least one advisory. */
  packages: number;
}

export interface FeedRecord {
  /** Where the export came from: a URL or a file. */
  source: string;
  /** The export's ETag, when it was downloaded (the next update asks whether it changed). */
  etag: string | null;
  counts: FeedCounts;
}

export interface IndexMeta {
  format: typeof INDEX_FORMAT;
  formatVersion: typeof INDEX_FORMAT_VERSION;
  builtAt: string;
  /** When the feed was last seen to match the index (the build, or a later update that found no change). */
  checkedAt: string;
  feeds: Record<Ecosystem, FeedRecord>;
}

export function feedsDir(dataDir: string): string {
  return join(dataDir, 'feeds');
}

export function indexPath(dataDir: string): string {
  return join(feedsDir(dataDir), 'osv-index');
}

export class IndexError extends DepfenceError<'EOSV_INDEX'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EOSV_INDEX', message, options);
  }
}

/** One line per key (`ecosystem\tname\t`), in key order, each a list of advisories already serialised as JSON. */
export type IndexLines = Iterable<[string, string[]]>;

export function indexKey(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}\t${name}\t`;
}

/** Writes the index next to `file` and renames it into place. Returns the bytes written. */
export function writeIndex(file: string, meta: IndexMeta, lines: IndexLines): number {
  return replaceAtomically(file, (write) => {
    write(`${JSON.stringify(meta)}\n`);
    for (const [key, advisories] of lines) write(`${key}[${advisories.join(',')}]\n`);
  });
}

/** The same index with a new header (the packages are copied as they are). */
export function rewriteHeader(file: string, meta: IndexMeta): number {
  const buffer = readFileSync(file);
  return replaceAtomically(file, (write) => {
    write(`${JSON.stringify(meta)}\n`);
    write(buffer.subarray(buffer.indexOf(0x0a) + 1));
  });
}

function replaceAtomically(file: string, produce: (write: (data: string | Buffer) => void) => void): number {
  const temporary = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temporary, 'w', 0o644);
  let bytes = 0;
  try {
    const writer = new BufferedWriter(fd);
    produce((data) => writer.write(data));
    writer.flush();
    bytes = writer.size;
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return bytes;
}

/** The order of lines: byte order of ASCII keys (names are validated package names, so ASCII). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface LoadedIndex {
  file: string;
  meta: IndexMeta;
  /** Packages it holds. */
  size: number;
  forPackage(ecosystem: Ecosystem, canonicalName: string): PackageAdvisories | null;
}

/** Reads and checks an index file. Throws IndexError when it is not a complete index of this format. */
export function loadIndex(file: string): LoadedIndex {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  const headerEnd = buffer.indexOf(0x0a);
  const meta = checkedMeta(file, headerEnd < 0 ? null : buffer.subarray(0, headerEnd), buffer[buffer.length - 1]);
  const starts = lineStarts(buffer, headerEnd + 1);
  const cache = new Map<string, PackageAdvisories | null>();

  function find(key: Buffer): string | null {
    let low = 0;
    let high = starts.length - 2;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const start = starts[middle]!;
      const end = Math.min(start + key.length, starts[middle + 1]! - 1);
      // How the line's start sorts against the key.
      const order = buffer.compare(key, 0, key.length, start, end);
      if (order === 0) return buffer.toString('utf8', start + key.length, starts[middle + 1]! - 1);
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return null;
  }

  return {
    file,
    meta,
    size: starts.length - 1,
    forPackage(ecosystem, canonicalName) {
      const key = indexKey(ecosystem, canonicalName);
      if (cache.has(key)) return cache.get(key)!;
      const text = find(Buffer.from(key));
      const found = text === null ? null : packageAdvisories(ecosystem, JSON.parse(text) as StoredAdvisory[]);
      if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
      cache.set(key, found);
      return found;
    },
  };
}

/** Versions of one package whose verdict is kept: a packument is judged again on every read. */
const VERSIONS_REMEMBERED = 2048;

function packageAdvisories(ecosystem: Ecosystem, stored: StoredAdvisory[]): PackageAdvisories {
  const order = versionOrder(ecosystem);
  const judged = new Map<string, AffectingAdvisory[]>();
  return {
    all: stored,
    affecting(version) {
      const known = judged.get(version);
      if (known) return known;
      const found: AffectingAdvisory[] = [];
      for (const advisory of stored) {
        if (isAffected(version, advisory.affected, order)) found.push({ advisory, upgradeTo: upgradeFor(version, advisory.fixed, order) });
      }
      if (judged.size < VERSIONS_REMEMBERED) judged.set(version, found);
      return found;
    },
  };
}

/**
 * The header of an index file, checked as loadIndex checks it, without reading the packages (an
 * update only needs to know what the index in force was built from).
 */
export function readIndexMeta(file: string): IndexMeta {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0) readSync(fd, last, 0, 1, size - 1);
    const head = Buffer.alloc(Math.min(size, HEADER_MAX_BYTES));
    for (let read = 0; read < head.length;) read += readSync(fd, head, read, head.length - read, read);
    const headerEnd = head.indexOf(0x0a);
    return checkedMeta(file, headerEnd < 0 ? null : head.subarray(0, headerEnd), size > 0 ? last[0] : undefined);
  } finally {
    closeSync(fd);
  }
}

/** A header is a few hundred bytes; one this long is not an index's. */
const HEADER_MAX_BYTES = 64 * 1024;

function checkedMeta(file: string, header: Buffer | null, lastByte: number | undefined): IndexMeta {
  const meta = header === null ? null : parseMeta(header.toString('utf8'));
  if (!meta)
    throw new IndexError(
      `${file} is not a depfence threat-data index of format version ${INDEX_FORMAT_VERSION}; run depfence update to rebuild it`,
    );
  if (lastByte !== 0x0a)
    throw new IndexError(`${file} is cut short (it does not end with a complete line); run depfence update to rebuild it`);
  return meta;
}

function unreadable(file: string, error: unknown): IndexError {
  return new IndexError(`cannot read the threat-data index ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

/** Offsets of each line after the header, plus one past the end (so line i is starts[i]..starts[i+1]-1). */
function lineStarts(buffer: Buffer, from: number): Uint32Array {
  let count = 0;
  for (let at = buffer.indexOf(0x0a, from); at >= 0; at = buffer.indexOf(0x0a, at + 1)) count++;
  const starts = new Uint32Array(count + 1);
  starts[0] = from;
  let line = 1;
  for (let at = buffer.indexOf(0x0a, from); at >= 0; at = buffer.indexOf(0x0a, at + 1)) starts[line++] = at + 1;
  return starts;
}

function parseMeta(text: string): IndexMeta | null {
  try {
    const meta = JSON.parse(text) as Partial<IndexMeta>;
    if (meta.format !== INDEX_FORMAT || meta.formatVersion !== INDEX_FORMAT_VERSION) return null;
    if (
      typeof meta.builtAt !== 'string' ||
      Number.isNaN(Date.parse(meta.builtAt)) ||
      typeof meta.checkedAt !== 'string' ||
      Number.isNaN(Date.parse(meta.checkedAt))
    )
      return null;
    const feeds = meta.feeds as Partial<IndexMeta['feeds']> | undefined;
    if (!feeds?.npm || !feeds.pypi) return null;
    return meta as IndexMeta;
  } catch {
    return null;
  }
}
