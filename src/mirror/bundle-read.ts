// Reading a bundle for import: every entry is checked before a byte of it is written, and every
// written byte is hashed. Refused: an archive that is not gzip-tar or is cut short; a first entry
// that is not manifest.json; any entry that is not a plain file (links, devices, directories,
// FIFOs); absolute paths, `..`, backslashes; names the manifest does not list; an entry twice; an
// entry whose size differs from the manifest's (checked from its header, before reading it); a
// total over the configured maximum or over the free disk space. Files are written only into
// `destDir` (a staging folder the caller removes on failure), as `<sha256>` once verified.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, statfs } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { MirrorError, printable } from '../sources/offline-store/errors.js';
import {
  ARTIFACT_PATH,
  archiveFiles,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  ManifestError,
  parseManifest,
  type ArchiveFile,
  type BundleManifest,
} from '../protocol/bundle/manifest.js';

export interface ReadLimits {
  /** The artifacts may add up to at most this many bytes. */
  maxBytes: number;
  /** Room to leave free on the disk besides the bundle's own bytes. */
  reserveBytes?: number;
}

export interface VerifiedBundle {
  /** sha256 of the bundle file, of the very bytes that were read. */
  sha256: string;
  manifest: BundleManifest;
  /** sha256 → the verified file in destDir. */
  files: Map<string, string>;
  totalBytes: number;
}

const PLAIN_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Reads and verifies `bundleFile`, writing its artifacts into `destDir` (which must exist). */
export function readBundle(bundleFile: string, destDir: string, limits: ReadLimits): Promise<VerifiedBundle> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(bundleFile);
    const whole = createHash('sha256');
    source.on('data', (chunk) => whole.update(chunk as Buffer));
    const parser = new Parser({ strict: true });
    let manifest: BundleManifest | null = null;
    let expected = new Map<string, ArchiveFile>();
    const files = new Map<string, string>();
    let totalBytes = 0;
    let failed = false;
    let chain = Promise.resolve();

    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(
        error instanceof MirrorError
          ? error
          : new MirrorError('EBUNDLE', `the bundle ${bundleFile} cannot be read: ${(error as Error).message}`),
      );
    };

    async function handle(entry: ReadEntry): Promise<void> {
      const where = `the bundle entry "${printable(entry.path)}"`;
      const problem = entryProblem(entry);
      if (problem) throw new MirrorError('EBUNDLE', `${where} is refused: ${problem}`);
      if (manifest === null) {
        if (entry.path !== MANIFEST_FILE) throw new MirrorError('EBUNDLE', `${where} is refused: a bundle starts with ${MANIFEST_FILE}`);
        if (entry.size > MAX_MANIFEST_BYTES)
          throw new MirrorError('EBUNDLE_SIZE', `${MANIFEST_FILE} is ${entry.size} bytes; at most ${MAX_MANIFEST_BYTES} are read`);
        const text = (await readWhole(entry, entry.size)).toString('utf8');
        try {
          manifest = parseManifest(text);
        } catch (error) {
          if (error instanceof ManifestError) throw new MirrorError('EBUNDLE', `the bundle's ${error.message}`);
          throw error;
        }
        expected = archiveFiles(manifest);
        totalBytes = [...expected.values()].reduce((sum, file) => sum + file.size, 0);
        await checkRoom(destDir, totalBytes, limits);
        return;
      }
      if (entry.path === MANIFEST_FILE) throw new MirrorError('EBUNDLE', `${where} is refused: the bundle holds ${MANIFEST_FILE} twice`);
      const match = ARTIFACT_PATH.exec(entry.path);
      const file = match ? expected.get(entry.path) : undefined;
      if (!match || !file) throw new MirrorError('EBUNDLE', `${where} is refused: the manifest does not list it`);
      if (files.has(file.sha256)) throw new MirrorError('EBUNDLE', `${where} is refused: the bundle holds it twice`);
      if (entry.size !== file.size)
        throw new MirrorError('EBUNDLE', `${where} is refused: it is ${entry.size} bytes, the manifest says ${file.size}`);
      const target = join(destDir, file.sha256);
      await writeVerified(entry, `${target}.part`, file, where);
      await rename(`${target}.part`, target);
      files.set(file.sha256, target);
    }

    parser.on('entry', (entry: ReadEntry) => {
      chain = chain.then(async () => {
        if (failed) {
          entry.resume();
          return;
        }
        try {
          await handle(entry);
        } catch (error) {
          entry.resume();
          fail(error);
        }
      });
    });
    parser.on('error', (error: Error) =>
      fail(
        new MirrorError(
          'EBUNDLE',
          `the bundle ${bundleFile} is not a complete gzip tar archive (${error.message}); it may be truncated or corrupted`,
        ),
      ),
    );
    parser.on('end', () => {
      chain.then(() => {
        if (failed) return;
        if (manifest === null) return fail(new MirrorError('EBUNDLE', `the bundle ${bundleFile} is empty: it holds no ${MANIFEST_FILE}`));
        const missing = [...expected.values()].filter((file) => !files.has(file.sha256));
        if (missing.length > 0) {
          return fail(
            new MirrorError(
              'EBUNDLE',
              `the bundle ${bundleFile} lacks ${missing.length} file(s) its manifest lists (first: ${missing[0]!.path}); it may be truncated`,
            ),
          );
        }
        resolve({ sha256: whole.digest('hex'), manifest, files, totalBytes });
      }, fail);
    });
    source.on('error', fail);
    source.pipe(parser);
  });
}

/** Why an entry may not be read at all (its type or its path), or null. */
function entryProblem(entry: ReadEntry): string | null {
  if (!PLAIN_FILE_TYPES.has(entry.type)) return `it is a ${describeType(entry.type)}, and a bundle holds only plain files`;
  const path = entry.path;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it has an absolute path';
  if (path.includes('\\')) return 'its path holds a backslash';
  if (path.includes('\0')) return 'its path holds a NUL';
  if (path.split('/').some((segment) => segment === '..')) return "its path leaves the bundle ('..')";
  return null;
}

function describeType(type: string): string {
  const names: Record<string, string> = {
    SymbolicLink: 'symbolic link',
    Link: 'hard link',
    Directory: 'directory',
    CharacterDevice: 'character device',
    BlockDevice: 'block device',
    FIFO: 'FIFO',
  };
  return names[type] ?? `"${type}" entry`;
}

async function checkRoom(dir: string, totalBytes: number, limits: ReadLimits): Promise<void> {
  if (totalBytes > limits.maxBytes) {
    throw new MirrorError(
      'EBUNDLE_SIZE',
      `the bundle's artifacts add up to ${totalBytes} bytes, more than mirror.maxBundleBytes (${limits.maxBytes}); raise the setting if the bundle is trusted`,
    );
  }
  const stats = await statfs(dir).catch(() => null);
  if (!stats) return;
  const free = stats.bavail * stats.bsize;
  const needed = totalBytes + (limits.reserveBytes ?? 64 * 1024 * 1024);
  if (free < needed)
    throw new MirrorError(
      'EBUNDLE_SIZE',
      `the bundle needs ${totalBytes} bytes but only ${free} are free in ${dir}; free some space first`,
    );
}

function readWhole(entry: ReadEntry, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    entry.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= size) chunks.push(chunk);
    });
    entry.on('end', () =>
      received === size ? resolve(Buffer.concat(chunks)) : reject(new MirrorError('EBUNDLE', `${MANIFEST_FILE} is cut short`)),
    );
    entry.on('error', reject);
  });
}

async function writeVerified(entry: ReadEntry, path: string, file: ArchiveFile, where: string): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx', mode: 0o644 });
  const hash = createHash('sha256');
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      entry.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > file.size) {
          reject(new MirrorError('EBUNDLE', `${where} is refused: it holds more than the ${file.size} bytes the manifest says`));
          return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) {
          entry.pause();
          out.once('drain', () => entry.resume());
        }
      });
      entry.on('end', () => resolve());
      entry.on('error', reject);
      out.on('error', reject);
    });
  } finally {
    out.end();
    await once(out, 'close').catch(() => undefined);
  }
  if (received !== file.size)
    throw new MirrorError(
      'EBUNDLE',
      `${where} is refused: it holds ${received} bytes, the manifest says ${file.size}; the bundle may be truncated`,
    );
  const digest = hash.digest('hex');
  if (digest !== file.sha256)
    throw new MirrorError(
      'EBUNDLE',
      `${where} is refused: its sha256 is ${digest}, the manifest says ${file.sha256}; the bundle was changed after it was made`,
    );
}

/** Only the manifest (the first entry), for `mirror --list`; nothing is written. Not a verification. */
export function readManifestOnly(bundleFile: string): Promise<BundleManifest> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(bundleFile);
    const parser = new Parser({ strict: true });
    let done = false;
    const finish = (error: Error | null, manifest?: BundleManifest) => {
      if (done) return;
      done = true;
      source.destroy();
      if (error)
        reject(
          error instanceof MirrorError ? error : new MirrorError('EBUNDLE', `the bundle ${bundleFile} cannot be read: ${error.message}`),
        );
      else resolve(manifest!);
    };
    let first = true;
    parser.on('entry', (entry: ReadEntry) => {
      if (done || !first) return entry.resume();
      first = false;
      if (entry.path !== MANIFEST_FILE || !PLAIN_FILE_TYPES.has(entry.type))
        return finish(new MirrorError('EBUNDLE', `${bundleFile} does not start with ${MANIFEST_FILE}: it is not a depfence bundle`));
      if (entry.size > MAX_MANIFEST_BYTES)
        return finish(new MirrorError('EBUNDLE_SIZE', `${MANIFEST_FILE} is ${entry.size} bytes; at most ${MAX_MANIFEST_BYTES} are read`));
      readWhole(entry, entry.size).then((bytes) => {
        try {
          finish(null, parseManifest(bytes.toString('utf8')));
        } catch (error) {
          finish(error instanceof ManifestError ? new MirrorError('EBUNDLE', `the bundle's ${error.message}`) : (error as Error));
        }
      }, finish);
    });
    parser.on('error', (error: Error) => finish(new MirrorError('EBUNDLE', `${bundleFile} is not a gzip tar archive (${error.message})`)));
    parser.on('end', () => {
      if (first) finish(new MirrorError('EBUNDLE', `${bundleFile} holds no ${MANIFEST_FILE}`));
    });
    source.on('error', (error) => finish(error));
    source.pipe(parser);
  });
}
