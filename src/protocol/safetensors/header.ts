// The safetensors header (github.com/huggingface/safetensors, "Format"): 8 bytes of little-endian
// header length N, N bytes of JSON, then the tensor data. The header is checked the way the
// library's own loader checks it: at most 100 MB, a JSON object of tensors with a known dtype, a
// shape and data offsets inside the data, whose byte length matches the shape, and which together
// cover the data with no overlap and no gap. String-to-string `__metadata__` is allowed.

export const SAFETENSORS_MAX_HEADER = 100_000_000;

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
};

export interface SafetensorsSummary {
  tensors: number;
  headerBytes: number;
  dataBytes: number;
}

/** Length of the JSON header from the file's first 8 bytes; throws when it cannot be a safetensors header. */
export function safetensorsHeaderLength(first8: Buffer, fileSize: number): number {
  if (first8.length < 8) throw new Error('the file is shorter than a safetensors header');
  const length = first8.readBigUInt64LE(0);
  if (length > BigInt(SAFETENSORS_MAX_HEADER))
    throw new Error(`the header claims ${length} bytes, more than the format's limit of ${SAFETENSORS_MAX_HEADER}`);
  if (8n + length > BigInt(fileSize)) throw new Error(`the header claims ${length} bytes, more than the file holds`);
  return Number(length);
}

/** Checks the JSON header against the size of the data that follows it; returns a summary or throws why not. */
export function validateSafetensorsHeader(header: Buffer, dataBytes: number): SafetensorsSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch (error) {
    throw new Error(`the header is not JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new Error('the header is not a JSON object');
  const ranges: [number, number, string][] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isObject(value) || !Object.values(value).every((entry) => typeof entry === 'string'))
        throw new Error('__metadata__ must map strings to strings');
      continue;
    }
    if (!isObject(value)) throw new Error(`tensor "${name}" is not an object`);
    const { dtype, shape, data_offsets: offsets } = value;
    const width = typeof dtype === 'string' ? DTYPE_BYTES[dtype] : undefined;
    if (width === undefined) throw new Error(`tensor "${name}" has an unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`tensor "${name}" has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
      throw new Error(`tensor "${name}" has invalid data_offsets`);
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > dataBytes)
      throw new Error(`tensor "${name}" lies at bytes ${begin}-${end}, outside the ${dataBytes} bytes of data`);
    const expected = (shape as number[]).reduce((product, dimension) => product * dimension, width);
    if (expected !== end - begin)
      throw new Error(`tensor "${name}" has ${end - begin} bytes of data, but its dtype and shape need ${expected}`);
    ranges.push([begin, end, name]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of ranges) {
    if (begin < covered) throw new Error(`tensor "${name}" overlaps the tensor before it`);
    if (begin > covered) throw new Error(`bytes ${covered}-${begin} of the data belong to no tensor`);
    covered = end;
  }
  if (covered !== dataBytes) throw new Error(`bytes ${covered}-${dataBytes} of the data belong to no tensor`);
  return { tensors: ranges.length, headerBytes: header.length, dataBytes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
