// A zip archive read through a RandomAccess with yauzl: the central directory from the end of the
// file, then any entry's bytes (inflated if deflated) as a stream. No I/O of its own: every read
// goes through the caller's RandomAccess.
import { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { RandomAccess } from '../random-access.js';

export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const READ_CHUNK = 1024 * 1024;

class AccessReader extends yauzl.RandomAccessReader {
  constructor(private readonly file: RandomAccess) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const file = this.file;
    let at = start;
    return new Readable({
      read() {
        if (at >= end) return void this.push(null);
        file.read(at, Math.min(READ_CHUNK, end - at)).then(
          (chunk) => {
            if (chunk.length === 0) return void this.destroy(new Error('the file ended early'));
            at += chunk.length;
            this.push(chunk);
          },
          (error: unknown) => this.destroy(error as Error),
        );
      },
    });
  }
}

export interface ZipArchive {
  entries: Entry[];
  /** The entry's content, inflated; destroy it to stop early. */
  open(entry: Entry): Promise<Readable>;
  close(): void;
}

/** Opens the archive and lists its entries; throws (with yauzl's reason) when it is not a readable zip. */
export async function openZip(file: RandomAccess): Promise<ZipArchive> {
  const zip: ZipFile = await yauzl.fromRandomAccessReaderPromise(new AccessReader(file), file.size, {
    lazyEntries: true,
    autoClose: false,
    validateEntrySizes: true,
    strictFileNames: false,
  });
  const entries: Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        entries.push(entry);
        zip.readEntry();
      });
      zip.once('end', resolve);
      zip.once('error', reject);
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  return { entries, open: (entry) => zip.openReadStreamPromise(entry), close: () => zip.close() };
}
