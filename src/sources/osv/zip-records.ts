// The records of an OSV export (`all.zip`: one JSON file per record), read one entry at a time
// with yauzl: the archive's central directory is read from the end of the file, then each entry's
// bytes are read and inflated on their own, so memory holds one record at a time whatever the
// export's size. Records are small, so each is inflated in one synchronous call (a zlib stream per
// entry costs several times more) under a size cap, and checked against its CRC-32.
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** A record larger than this (uncompressed) is not read; real records are a few KiB to a few hundred. */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

export type ZipItem = { kind: 'record'; file: string; text: string } | { kind: 'skipped'; file: string; reason: string };

export class ZipReadError extends Error {
  readonly code = 'EOSV_ZIP';
  override readonly name = 'ZipReadError';
}

export async function* zipRecords(path: string): AsyncGenerator<ZipItem> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (error) {
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
        yield { kind: 'skipped', file: entry.fileName, reason: `${entry.uncompressedSize} bytes, more than a record may be (${MAX_RECORD_BYTES})` };
        continue;
      }
      yield { kind: 'record', file: entry.fileName, text: await readEntry(zip, entry, path) };
    }
  } finally {
    zip.close();
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

async function readEntry(zip: ZipFile, entry: Entry, path: string): Promise<string> {
  const damaged = (why: string) => new ZipReadError(`${path}: the entry ${entry.fileName} is damaged (${why})`);
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) throw damaged(`compression method ${entry.compressionMethod} is not used by OSV exports`);
  let data: Buffer;
  try {
    const stream = await zip.openReadStreamPromise(entry, { decompress: false });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const raw = Buffer.concat(chunks);
    data = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: MAX_RECORD_BYTES }) : raw;
  } catch (error) {
    throw damaged((error as Error).message);
  }
  if (data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32) throw damaged('its size or CRC-32 does not match the archive directory');
  return data.toString('utf8');
}
