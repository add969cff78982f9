// What a model file is and whether loading it could run code: the format from its bytes (not only
// its name), pickles scanned opcode by opcode (inside PyTorch's zip checkpoints too), safetensors
// headers validated, GGUF's magic checked, NumPy arrays (.npy, and each in a .npz) read as
// numpy.load reads them (models/numpy.ts). Reads through a RandomAccess, chunk by chunk: tensor
// data is never read, and nothing is kept in memory beyond a chunk and the scanner's state.
import type { Readable } from 'node:stream';
import type { Entry } from 'yauzl';
import { PickleScanner, type PickleVerdict } from '../pickle/index.js';
import { NPY_MAGIC } from '../numpy/header.js';
import type { RandomAccess } from '../random-access.js';
import { safetensorsHeaderLength, validateSafetensorsHeader } from '../safetensors/header.js';
import { openZip, ZIP_MAGIC, type ZipArchive } from '../zip/entries.js';
import { readNpy } from './numpy.js';

export type ModelFormat = 'safetensors' | 'pickle' | 'torch-zip' | 'numpy' | 'gguf' | 'onnx' | 'other';
export type PickleMode = 'deny' | 'scan' | 'allow';

export interface FileInspection {
  format: ModelFormat;
  /** null: nothing wrong; otherwise why the file is refused. */
  problem: string | null;
  /** For pickles: what the scan found (`safe`: the imports it makes, all on the safe list). */
  pickle?: PickleVerdict & { entry?: string };
}

/** Extensions whose files are loaded with pickle (torch.load, pickle.load, joblib.load). */
export const PICKLE_EXTENSIONS = ['.bin', '.pt', '.pth', '.ckpt', '.pkl', '.pickle', '.joblib', '.dill', '.pk'];
/** NumPy's array files: numpy.load(allow_pickle=True) unpickles object arrays in them (and any file that is not one). */
export const NUMPY_EXTENSIONS = ['.npy', '.npz'];

const CHUNK = 1024 * 1024;

export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Is this file pickle-based by its name alone (so `pickle: deny` can refuse it without fetching)? */
export function isPickleName(path: string): boolean {
  const extension = extensionOf(path);
  return PICKLE_EXTENSIONS.includes(extension) || NUMPY_EXTENSIONS.includes(extension);
}

export async function inspectModelFile(path: string, file: RandomAccess, pickleMode: PickleMode): Promise<FileInspection> {
  const extension = extensionOf(path);
  const head = await file.read(0, 8);
  if (extension === '.safetensors') return inspectSafetensors(file, head);
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return inspectZip(path, file, pickleMode);
  if (head.subarray(0, NPY_MAGIC.length).equals(NPY_MAGIC)) return inspectNpy(chunksOf(file), file.size, pickleMode);
  const pickleBytes = head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5;
  // numpy.load unpickles a file that is neither a .npy nor a zip.
  if (pickleBytes || PICKLE_EXTENSIONS.includes(extension) || NUMPY_EXTENSIONS.includes(extension)) {
    if (pickleMode === 'allow') return { format: 'pickle', problem: null };
    if (pickleMode === 'deny') return { format: 'pickle', problem: pickleDenied('is a pickle') };
    const verdict = await scanChunks(chunksOf(file), new PickleScanner());
    return { format: 'pickle', problem: pickleProblem(verdict), pickle: verdict };
  }
  if (extension === '.gguf') {
    return {
      format: 'gguf',
      problem: head.subarray(0, 4).toString('latin1') === 'GGUF' ? null : 'it is named .gguf but does not start with the GGUF magic',
    };
  }
  return { format: extension === '.onnx' ? 'onnx' : 'other', problem: null };
}

async function inspectSafetensors(file: RandomAccess, head: Buffer): Promise<FileInspection> {
  try {
    const length = safetensorsHeaderLength(head, file.size);
    const header = await file.read(8, length);
    validateSafetensorsHeader(header, file.size - 8 - length);
    return { format: 'safetensors', problem: null };
  } catch (error) {
    return { format: 'safetensors', problem: `its safetensors header is invalid: ${(error as Error).message}` };
  }
}

async function inspectZip(path: string, file: RandomAccess, pickleMode: PickleMode): Promise<FileInspection> {
  let zip: ZipArchive;
  try {
    zip = await openZip(file);
  } catch (error) {
    return {
      format: 'torch-zip',
      problem: `it is a zip archive that cannot be read (${(error as Error).message}), so what it would load cannot be checked`,
    };
  }
  try {
    // torch.load unpickles data.pkl; TorchScript's loader also constants.pkl: every .pkl is scanned.
    const pickles = zip.entries.filter((entry) => entry.fileName.toLowerCase().endsWith('.pkl'));
    // numpy.load reads any zip as a .npz, and each member that starts with the .npy magic as an
    // array. In a .npz every member is looked at; in another zip (a checkpoint's tensors, a
    // dataset's images) only members named .npy, as numpy.savez names them, so a big archive is
    // not read member by member.
    const numpyArchive = extensionOf(path) === '.npz';
    const arrays = zip.entries.filter(
      (entry) => !entry.fileName.endsWith('/') && !pickles.includes(entry) && (numpyArchive || extensionOf(entry.fileName) === '.npy'),
    );
    const format: ModelFormat = pickles.length > 0 ? 'torch-zip' : 'numpy';
    if (pickles.length === 0 && PICKLE_EXTENSIONS.includes(extensionOf(path))) {
      return {
        format: 'torch-zip',
        problem: 'it is a zip archive without the pickle a PyTorch checkpoint holds, so it is not a checkpoint depfence can check',
      };
    }
    if (pickleMode === 'allow')
      return { format: pickles.length > 0 || NUMPY_EXTENSIONS.includes(extensionOf(path)) ? format : 'other', problem: null };
    if (pickleMode === 'deny' && pickles.length > 0)
      return { format, problem: pickleDenied('is a PyTorch checkpoint (pickle inside a zip)') };
    const imports = new Set<string>();
    let scanned = 0;
    for (const entry of pickles) {
      const verdict = await zip
        .open(entry)
        .then((stream) => scanChunks(stream, new PickleScanner()))
        .catch((error: unknown): PickleVerdict => ({ kind: 'unreadable', reason: (error as Error).message, offset: 0 }));
      if (verdict.kind !== 'safe')
        return { format, problem: pickleProblem(verdict, entry.fileName), pickle: { ...verdict, entry: entry.fileName } };
      verdict.imports.forEach((name) => imports.add(name));
      scanned += verdict.pickles;
    }
    let sawArray = false;
    for (const entry of arrays) {
      const inspection = await inspectNpyMember(zip, entry, pickleMode);
      if (inspection === null) continue;
      sawArray = true;
      if (inspection.problem !== null) return { ...inspection, format };
      if (inspection.pickle?.kind === 'safe') {
        inspection.pickle.imports.forEach((name) => imports.add(name));
        scanned += inspection.pickle.pickles;
      }
    }
    if (pickles.length === 0 && !sawArray)
      return { format: NUMPY_EXTENSIONS.includes(extensionOf(path)) ? 'numpy' : 'other', problem: null };
    return { format, problem: null, ...(scanned > 0 && { pickle: { kind: 'safe', imports: [...imports], pickles: scanned } }) };
  } finally {
    zip.close();
  }
}

/** A zip member read as numpy.load reads it: null when it does not start with the .npy magic (numpy then returns its bytes). */
async function inspectNpyMember(zip: ZipArchive, entry: Entry, pickleMode: PickleMode): Promise<FileInspection | null> {
  const where = entry.fileName;
  let stream: Readable;
  try {
    stream = await zip.open(entry);
  } catch (error) {
    return {
      format: 'numpy',
      problem: `its member ${where} cannot be read (${(error as Error).message}), so what numpy would load from it cannot be checked`,
    };
  }
  const chunks = peekable(stream, NPY_MAGIC.length);
  try {
    const first = await chunks.peek();
    if (!first.subarray(0, NPY_MAGIC.length).equals(NPY_MAGIC)) return null;
    return await inspectNpy(chunks, entry.uncompressedSize, pickleMode, where);
  } catch (error) {
    return {
      format: 'numpy',
      problem: `its member ${where} cannot be read (${(error as Error).message}), so what numpy would load from it cannot be checked`,
    };
  } finally {
    stream.destroy();
  }
}

async function inspectNpy(chunks: AsyncIterable<Buffer>, size: number, pickleMode: PickleMode, entry?: string): Promise<FileInspection> {
  const where = entry ? ` (${entry})` : '';
  if (pickleMode === 'allow') return { format: 'numpy', problem: null };
  const verdict = await readNpy(chunks, size, pickleMode === 'scan');
  switch (verdict.kind) {
    case 'unreadable':
      return {
        format: 'numpy',
        problem: `it is a NumPy array file${where} that cannot be read safely (${verdict.reason}), so whether numpy.load would run a pickle from it cannot be checked`,
      };
    case 'numeric':
      return { format: 'numpy', problem: null };
    case 'object':
      if (verdict.pickle === null)
        return {
          format: 'numpy',
          problem: pickleDenied(`holds a NumPy object array${where}, which numpy.load(allow_pickle=True) unpickles`),
        };
      return {
        format: 'numpy',
        problem: pickleProblem(verdict.pickle, entry, 'numpy'),
        pickle: { ...verdict.pickle, ...(entry && { entry }) },
      };
  }
}

/** The file's bytes, a chunk at a time. */
async function* chunksOf(file: RandomAccess): AsyncIterable<Buffer> {
  for (let at = 0; at < file.size; at += CHUNK) {
    const chunk = await file.read(at, Math.min(CHUNK, file.size - at));
    if (chunk.length === 0) return;
    yield chunk;
  }
}

/** A stream whose first `length` bytes can be looked at before it is read from the start. */
function peekable(stream: Readable, length: number): AsyncIterable<Buffer> & { peek(): Promise<Buffer> } {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  return {
    async peek() {
      while (headLength < length && !ended) {
        const next = await iterator.next();
        if (next.done) ended = true;
        else {
          head.push(next.value);
          headLength += next.value.length;
        }
      }
      return Buffer.concat(head);
    },
    async *[Symbol.asyncIterator]() {
      yield* head;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    },
  };
}

/** Feeds chunks to a pickle scanner; stops reading once it has a verdict. */
async function scanChunks(chunks: AsyncIterable<Buffer>, scanner: PickleScanner): Promise<PickleVerdict> {
  for await (const chunk of chunks) if (!scanner.write(chunk)) break;
  return scanner.end();
}

const ALLOWED_IMPORTS = {
  torch: 'the tensor-rebuild and container callables torch.load(weights_only=True) accepts',
  numpy: 'the array-rebuild callables and containers numpy needs to load an object array',
};

function pickleProblem(verdict: PickleVerdict, entry?: string, allowed: keyof typeof ALLOWED_IMPORTS = 'torch'): string | null {
  const where = entry ? ` (in ${entry})` : '';
  switch (verdict.kind) {
    case 'safe':
      return null;
    case 'unsafe':
      return `its pickle${where} imports ${verdict.unsafe.name} (${verdict.unsafe.opcode} at byte ${verdict.unsafe.offset}), which is not among ${ALLOWED_IMPORTS[allowed]}: loading it could run code`;
    case 'unreadable':
      return `its pickle${where} cannot be read safely (${verdict.reason}), so what it would run cannot be checked`;
  }
}

function pickleDenied(what: string): string {
  return `it ${what}, and policy.models.pickle is deny: pickle files can run code when loaded`;
}
