// NumPy's array files as numpy.load reads them: a .npy whose dtype holds Python objects carries a
// pickle after its header (numpy.load(allow_pickle=True) runs it), and a .npz is a zip whose
// members numpy reads as .npy when they start with the .npy magic. Numeric arrays are allowed once
// their header is valid and the data it describes is there; object arrays have their pickle
// scanned against what numpy needs to rebuild an array; anything unparseable is refused.
import { isNumpySafeGlobal, PickleScanner, type PickleVerdict } from '../pickle/index.js';
import { MAX_NPY_HEADER, NpyHeaderError, npyHeaderLength, npyPreambleLength, parseNpyHeader, type NpyHeader } from '../numpy/header.js';

export type NpyVerdict =
  | { kind: 'numeric'; header: NpyHeader }
  | { kind: 'object'; header: NpyHeader; pickle: PickleVerdict | null }
  | { kind: 'unreadable'; reason: string };

/**
 * Reads a .npy from its chunks (a file or a zip member of `size` bytes). Numeric: stops after the
 * header. Object: the pickle after the header is scanned when `scan` is true (else not read).
 */
export async function readNpy(chunks: AsyncIterable<Buffer>, size: number, scan: boolean): Promise<NpyVerdict> {
  let buffered = Buffer.alloc(0);
  let header: NpyHeader | null = null;
  let scanner: PickleScanner | null = null;
  try {
    for await (const chunk of chunks) {
      if (scanner) {
        if (!scanner.write(chunk)) break;
        continue;
      }
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 12 && buffered.length < size) continue;
      const preamble = npyPreambleLength(buffered.subarray(0, 8));
      const end = preamble + npyHeaderLength(buffered.subarray(0, preamble));
      if (buffered.length < end) {
        if (buffered.length > MAX_NPY_HEADER + 12) break;
        continue;
      }
      header = parseNpyHeader(buffered.subarray(0, preamble), buffered.subarray(preamble, end));
      if (!header.hasObject) return numericVerdict(header, size);
      if (!scan) return { kind: 'object', header, pickle: null };
      scanner = new PickleScanner({ isSafe: isNumpySafeGlobal });
      if (!scanner.write(buffered.subarray(end))) break;
    }
  } catch (error) {
    if (error instanceof NpyHeaderError) return { kind: 'unreadable', reason: error.message };
    throw error;
  }
  if (!header || !scanner) return { kind: 'unreadable', reason: 'it ends before its header does' };
  return { kind: 'object', header, pickle: scanner.end() };
}

function numericVerdict(header: NpyHeader, size: number): NpyVerdict {
  const available = size - header.dataOffset;
  if (header.dataBytes! > available)
    return { kind: 'unreadable', reason: `its header describes ${header.dataBytes} bytes of data but ${available} follow it` };
  return { kind: 'numeric', header };
}
