// A zip archive's central directory (PKWARE APPNOTE 4.3.12–4.3.16, with ZIP64), read the way
// zip readers (Python's zipfile, the miniz reader PyTorch uses) find their entries: from the end
// of the file. Only what locating an entry's data needs is decoded; anything malformed is an error.
import type { RandomAccess } from '../random-access.js';

export interface ZipEntry {
  name: string;
  /** 0: stored; 8: deflated. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const MAX_ENTRIES = 1_000_000;
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

export const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export async function readZipDirectory(file: RandomAccess): Promise<ZipEntry[]> {
  const tailLength = Math.min(file.size, EOCD_SIZE + MAX_COMMENT + 20);
  const tailStart = file.size - tailLength;
  const tail = await file.read(tailStart, tailLength);
  const eocd = lastIndexOfSignature(tail, EOCD_SIGNATURE);
  if (eocd < 0 || eocd + EOCD_SIZE > tail.length) throw new ZipFormatError('no end-of-central-directory record');
  let entries = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) throw new ZipFormatError('a ZIP64 archive without its locator');
    const record = await file.read(safeNumber(tail.readBigUInt64LE(locator + 8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError('the ZIP64 end-of-central-directory record is missing');
    entries = safeNumber(record.readBigUInt64LE(32));
    size = safeNumber(record.readBigUInt64LE(40));
    offset = safeNumber(record.readBigUInt64LE(48));
  }
  if (entries > MAX_ENTRIES) throw new ZipFormatError(`${entries} entries is more than any model archive holds`);
  if (size > MAX_DIRECTORY_BYTES || offset + size > file.size) throw new ZipFormatError('the central directory lies outside the file');
  return parseDirectory(await file.read(offset, size), entries, file.size);
}

/** Where the entry's (compressed) data starts: after its local header. */
export async function entryDataOffset(file: RandomAccess, entry: ZipEntry): Promise<number> {
  const header = await file.read(entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new ZipFormatError(`${entry.name} has no local header where the directory says`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > file.size) throw new ZipFormatError(`${entry.name} runs past the end of the file`);
  return start;
}

function parseDirectory(directory: Buffer, count: number, fileSize: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new ZipFormatError(`central directory entry ${index} is malformed`);
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressedSize = directory.readUInt32LE(at + 20);
    let uncompressedSize = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ZipFormatError(`central directory entry ${index} runs past the directory`);
    const name = directory.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: the 64-bit values, in this order, for the fields set to 0xffffffff.
    const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const zip64 = findExtra(extra, 0x0001);
    if (zip64) {
      let field = 0;
      const next = () => {
        if (field + 8 > zip64.length) throw new ZipFormatError(`${name}: its ZIP64 field is too short`);
        const value = safeNumber(zip64.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
    }
    if (localHeaderOffset + compressedSize > fileSize) throw new ZipFormatError(`${name} lies outside the file`);
    entries.push({ name, method, encrypted: (flags & 1) === 1, compressedSize, uncompressedSize, localHeaderOffset });
    at = end;
  }
  return entries;
}

function findExtra(extra: Buffer, id: number): Buffer | null {
  for (let at = 0; at + 4 <= extra.length; ) {
    const length = extra.readUInt16LE(at + 2);
    if (extra.readUInt16LE(at) === id) return extra.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return null;
}

function lastIndexOfSignature(buffer: Buffer, signature: number): number {
  for (let at = buffer.length - EOCD_SIZE; at >= 0; at--) if (buffer.readUInt32LE(at) === signature) return at;
  return -1;
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a size or offset beyond any real file');
  return Number(value);
}
