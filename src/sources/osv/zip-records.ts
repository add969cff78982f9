// The records of an OSV export (`all.zip`: one JSON file per record), read one entry at a time
// with yauzl: the archive's central directory is read from the end of the file, then each entry's
// bytes are read and inflated on their own, so memory holds one record at a time whatever the
// export's size. Records are small, so each is inflated in one synchronous call (a zlib stream per
// entry costs several times more) under a size cap, and checked against its CRC-32. The file is
// read through windows of a few MiB (yauzl's RandomAccessReader), not with two small reads per
// entry: one window walks the central directory, the other the entries, both forward, so nearly
// every read is served from memory.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** A record larger than this (uncompressed) is not read; real records are a few KiB to a few hundred. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export type ZipItem = { kind: 'record'; file: string; text: string } | { kind: 'skipped'; file: string; reason: string };

export class ZipReadError extends DepfenceError<'EOSV_ZIP'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EOSV_ZIP', message, options);
  }
}

export async function* zipRecords(path: string): AsyncGenerator<ZipItem> {
  let zip: ZipFile;
  const reader = WindowedReader.open(path);
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, reader.size, {
      lazyEntries: true,
      autoClose: false,
      strictFileNames: false,
      validateEntrySizes: true,
    });
  } catch (error) {
    reader.closeFile();
    throw new ZipReadError(`${path} is not a readable zip archive (${(error as Error).message})`);
  }
  try {
    for (;;) {
      const entry = await nextEntry(zip, path);
      if (entry === null) return;
      if (entry.fileName.endsWith('/')) continue;
      if (!entry.fileName.endsWith('.json')) {
        yield { kind: 'skipped', file: entry.fileName, reason: 'not a .json record' };
        continue;
      }
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        yield {
          kind: 'skipped',
          file: entry.fileName,
          reason: `${entry.uncompressedSize} bytes, more than a record may be (${MAX_RECORD_BYTES})`,
        };
        continue;
      }
      yield { kind: 'record', file: entry.fileName, text: await readEntry(zip, reader, entry, path) };
    }
  } finally {
    zip.close();
    reader.closeFile();
  }
}

const WINDOW_BYTES = 4 * 1024 * 1024;

interface Window {
  start: number;
  bytes: Buffer;
  /** How many bytes of `bytes`, from `start` in the file, it holds. */
  used: number;
  lastUse: number;
}

/** A file read through two windows (directory and entries): reads inside them cost no system call. */
class WindowedReader extends yauzl.RandomAccessReader {
  readonly #windows: Window[] = [];
  #clock = 0;

  private constructor(
    private readonly fd: number,
    readonly size: number,
  ) {
    super();
  }

  static open(path: string): WindowedReader {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw new ZipReadError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return new WindowedReader(fd, fstatSync(fd).size);
  }

  /**
   * The bytes start..end (exclusive), fewer when the file ends first. A view into a window's
   * buffer, valid until the next call: an evicted window's buffer is refilled in place, so reading
   * an export allocates two buffers, not one per window's worth of the file.
   */
  slice(start: number, end: number): Buffer {
    let window = this.#windows.find((candidate) => start >= candidate.start && end <= candidate.start + candidate.used);
    if (!window) {
      const length = Math.max(0, Math.min(Math.max(WINDOW_BYTES, end - start), this.size - start));
      window =
        this.#windows.length < 2
          ? { start, bytes: Buffer.allocUnsafe(WINDOW_BYTES), used: 0, lastUse: 0 }
          : this.#windows.reduce((a, b) => (a.lastUse <= b.lastUse ? a : b));
      if (!this.#windows.includes(window)) this.#windows.push(window);
      if (window.bytes.length < length) window.bytes = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const got = readSync(this.fd, window.bytes, filled, length - filled, start + filled);
        if (got === 0) break;
        filled += got;
      }
      window.start = start;
      window.used = filled;
    }
    window.lastUse = ++this.#clock;
    return window.bytes.subarray(start - window.start, Math.min(end - window.start, window.used));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const stream = new PassThrough();
    stream.end(Buffer.from(this.slice(start, end)));
    return stream;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (error: Error | null) => void): void {
    try {
      this.slice(position, position + length).copy(buffer, offset);
    } catch (error) {
      return queueMicrotask(() => callback(error as Error));
    }
    queueMicrotask(() => callback(null));
  }

  closeFile(): void {
    closeSync(this.fd);
  }
}

function nextEntry(zip: ZipFile, path: string): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new ZipReadError(`${path} is damaged: ${error.message}`));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

const STORED = 0;
const DEFLATED = 8;

/** The entry's bytes, found through its local header (yauzl) and read straight from the window. */
async function readEntry(zip: ZipFile, reader: WindowedReader, entry: Entry, path: string): Promise<string> {
  const damaged = (why: string) => new ZipReadError(`${path}: the entry ${entry.fileName} is damaged (${why})`);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED)
    throw damaged(`compression method ${entry.compressionMethod} is not used by OSV exports`);
  if (entry.isEncrypted()) throw damaged('it is encrypted');
  let data: Buffer;
  try {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
    const raw = reader.slice(fileDataStart, fileDataStart + entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw new Error('the archive ends inside it');
    data = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: MAX_RECORD_BYTES }) : raw;
  } catch (error) {
    throw damaged((error as Error).message);
  }
  if (data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32)
    throw damaged('its size or CRC-32 does not match the archive directory');
  return data.toString('utf8');
}
