// What a model file is and whether loading it could run code: the format from its bytes (not only
// its name), pickles scanned opcode by opcode (inside PyTorch's zip checkpoints too), safetensors
// headers validated, GGUF's magic checked. Reads through a RandomAccess, chunk by chunk: tensor
// data is never read, and nothing is kept in memory beyond a chunk and the scanner's state.
import type { Readable } from 'node:stream';
import { PickleScanner, type PickleVerdict } from '../pickle/index.js';
import type { RandomAccess } from '../random-access.js';
import { safetensorsHeaderLength, validateSafetensorsHeader } from '../safetensors/header.js';
import { openZip, ZIP_MAGIC, type ZipArchive } from '../zip/entries.js';

export type ModelFormat = 'safetensors' | 'pickle' | 'torch-zip' | 'gguf' | 'onnx' | 'other';
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

const CHUNK = 1024 * 1024;

export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot);
}

/** Is this file pickle-based by its name alone (so `pickle: deny` can refuse it without fetching)? */
export function isPickleName(path: string): boolean {
  return PICKLE_EXTENSIONS.includes(extensionOf(path));
}

export async function inspectModelFile(path: string, file: RandomAccess, pickleMode: PickleMode): Promise<FileInspection> {
  const extension = extensionOf(path);
  const head = await file.read(0, 8);
  if (extension === '.safetensors') return inspectSafetensors(file, head);
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return inspectZip(path, file, pickleMode);
  const pickleBytes = head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5;
  if (pickleBytes || PICKLE_EXTENSIONS.includes(extension)) {
    if (pickleMode === 'allow') return { format: 'pickle', problem: null };
    if (pickleMode === 'deny') return { format: 'pickle', problem: pickleDenied('is a pickle') };
    const verdict = await scanRange(file, 0, file.size);
    return { format: 'pickle', problem: pickleProblem(verdict), pickle: verdict };
  }
  if (extension === '.gguf') {
    return { format: 'gguf', problem: head.subarray(0, 4).toString('latin1') === 'GGUF' ? null : 'it is named .gguf but does not start with the GGUF magic' };
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
    return { format: 'torch-zip', problem: `it is a zip archive that cannot be read (${(error as Error).message}), so what it would load cannot be checked` };
  }
  try {
    // torch.load unpickles data.pkl; TorchScript's loader also constants.pkl: every .pkl is scanned.
    const pickles = zip.entries.filter((entry) => entry.fileName.toLowerCase().endsWith('.pkl'));
    if (pickles.length === 0) {
      return PICKLE_EXTENSIONS.includes(extensionOf(path))
        ? { format: 'torch-zip', problem: 'it is a zip archive without the pickle a PyTorch checkpoint holds, so it is not a checkpoint depfence can check' }
        : { format: 'other', problem: null };
    }
    if (pickleMode === 'allow') return { format: 'torch-zip', problem: null };
    if (pickleMode === 'deny') return { format: 'torch-zip', problem: pickleDenied('is a PyTorch checkpoint (pickle inside a zip)') };
    const imports = new Set<string>();
    for (const entry of pickles) {
      let verdict: PickleVerdict;
      try {
        verdict = await scanStream(await zip.open(entry));
      } catch (error) {
        verdict = { kind: 'unreadable', reason: (error as Error).message, offset: 0 };
      }
      if (verdict.kind !== 'safe') return { format: 'torch-zip', problem: pickleProblem(verdict, entry.fileName), pickle: { ...verdict, entry: entry.fileName } };
      verdict.imports.forEach((name) => imports.add(name));
    }
    return { format: 'torch-zip', problem: null, pickle: { kind: 'safe', imports: [...imports], pickles: pickles.length } };
  } finally {
    zip.close();
  }
}

/** Feeds bytes [start, start+length) of the file to a pickle scanner, a chunk at a time. */
async function scanRange(file: RandomAccess, start: number, length: number): Promise<PickleVerdict> {
  const scanner = new PickleScanner();
  for (let at = start; at < start + length && !scanner.done; at += CHUNK) {
    const chunk = await file.read(at, Math.min(CHUNK, start + length - at));
    if (chunk.length === 0) break;
    scanner.write(chunk);
  }
  return scanner.end();
}

/** Feeds a zip entry's (inflated) bytes to a pickle scanner; stops reading once it has a verdict. */
async function scanStream(stream: Readable): Promise<PickleVerdict> {
  const scanner = new PickleScanner();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) if (!scanner.write(chunk)) break;
  } finally {
    stream.destroy();
  }
  return scanner.end();
}

function pickleProblem(verdict: PickleVerdict, entry?: string): string | null {
  const where = entry ? ` (in ${entry})` : '';
  switch (verdict.kind) {
    case 'safe':
      return null;
    case 'unsafe':
      return `its pickle${where} imports ${verdict.unsafe.name} (${verdict.unsafe.opcode} at byte ${verdict.unsafe.offset}), which is not among the tensor-rebuild and container callables torch.load(weights_only=True) accepts: loading it could run code`;
    case 'unreadable':
      return `its pickle${where} cannot be read safely (${verdict.reason}), so what it would run cannot be checked`;
  }
}

function pickleDenied(what: string): string {
  return `it ${what}, and policy.models.pickle is deny: pickle files can run code when loaded`;
}
