// The header of a NumPy .npy file (NumPy's format spec, numpy.lib.format): the magic "\x93NUMPY",
// a major and minor version, the header's length (2 bytes little-endian in version 1, 4 in 2 and 3),
// then a Python dict literal {'descr': …, 'fortran_order': …, 'shape': …} padded with spaces and
// ended by a newline. numpy.load reads the data after it raw for numeric dtypes, and with
// pickle.load when the dtype holds Python objects. Parsed strictly, as numpy's own reader checks
// it (exactly those three keys, a tuple of ints, a bool), and a dtype this reader does not know is
// an error: guessing whether numpy would see objects in it is not safe.

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
/** numpy ignores its own header size limit when allow_pickle is on; this reader stops here. */
export const MAX_NPY_HEADER = 1024 * 1024;

export interface NpyHeader {
  /** Where the array data (or the pickle) starts. */
  dataOffset: number;
  shape: number[];
  fortranOrder: boolean;
  /** The dtype holds Python objects: the data is a pickle. */
  hasObject: boolean;
  /** Bytes of the raw data (null when the data is a pickle). */
  dataBytes: number | null;
}

export class NpyHeaderError extends Error {}

/** How many bytes the fixed preamble takes, once its first 8 bytes are known (10 or 12). */
export function npyPreambleLength(first8: Buffer): number {
  if (first8.length < 8 || !first8.subarray(0, 6).equals(NPY_MAGIC)) throw new NpyHeaderError('it does not start with the .npy magic');
  const major = first8[6]!;
  if (major < 1 || major > 3 || first8[7] !== 0)
    throw new NpyHeaderError(`it is .npy format version ${major}.${first8[7]}, which numpy does not write`);
  return major === 1 ? 10 : 12;
}

/** The header's length from the preamble. */
export function npyHeaderLength(preamble: Buffer): number {
  const length = preamble.length === 10 ? preamble.readUInt16LE(8) : preamble.readUInt32LE(8);
  if (length > MAX_NPY_HEADER)
    throw new NpyHeaderError(`its header is ${length} bytes, more than the ${MAX_NPY_HEADER} this reader accepts`);
  return length;
}

/** Parses the header text (after the preamble); `preambleLength` + its length give the data offset. */
export function parseNpyHeader(preamble: Buffer, header: Buffer): NpyHeader {
  const text = preamble[6] === 3 ? header.toString('utf8') : header.toString('latin1');
  const value = new LiteralReader(text).document();
  if (!(value instanceof Map)) throw new NpyHeaderError('its header is not a dict');
  const keys = [...value.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape')
    throw new NpyHeaderError(`its header has the keys ${keys.join(', ')}, not descr, fortran_order and shape`);
  const shape = value.get('shape');
  if (!isTuple(shape) || !shape.items.every(isDimension)) throw new NpyHeaderError('its shape is not a tuple of non-negative integers');
  const fortranOrder = value.get('fortran_order');
  if (typeof fortranOrder !== 'boolean') throw new NpyHeaderError('its fortran_order is not True or False');
  const dtype = describeDtype(value.get('descr'));
  const count = (shape.items as number[]).reduce((product, dimension) => product * dimension, 1);
  const dataBytes = dtype.hasObject ? null : count * dtype.itemSize;
  if (dataBytes !== null && !Number.isSafeInteger(dataBytes))
    throw new NpyHeaderError('its shape and dtype describe more bytes than a file can hold');
  return {
    dataOffset: preamble.length + header.length,
    shape: shape.items as number[],
    fortranOrder,
    hasObject: dtype.hasObject,
    dataBytes,
  };
}

// ── dtypes ──────────────────────────────────────────────────────────────────────────────────────

interface Dtype {
  itemSize: number;
  hasObject: boolean;
}

/** The type strings numpy writes (dtype.str): byte order, kind, size; datetimes with a unit. */
const NUMERIC =
  /^[<>|=]?(?:(b1|\?)|([iu])(1|2|4|8)|(f)(2|4|8|12|16)|(c)(8|16|24|32)|([SV])(\d{1,9})|(U)(\d{1,9})|([Mm])8(?:\[\d{0,9}[A-Za-z]{1,3}\])?)$/;
const OBJECT = /^[<>|=]?O[48]?$/;

function describeDtype(descr: Literal | undefined): Dtype {
  if (typeof descr === 'string') return simpleDtype(descr);
  // A structured dtype: a list of (name, descr[, shape]) with name a string or a (title, name) pair.
  if (Array.isArray(descr)) {
    let itemSize = 0;
    let hasObject = false;
    for (const field of descr) {
      if (!isTuple(field) || field.items.length < 2 || field.items.length > 3)
        throw new NpyHeaderError('a field of its structured dtype is not (name, dtype[, shape])');
      const [name, type, shape] = field.items;
      const named =
        typeof name === 'string' || (isTuple(name) && name.items.length === 2 && name.items.every((part) => typeof part === 'string'));
      if (!named) throw new NpyHeaderError('a field of its structured dtype has no string name');
      let repeat = 1;
      if (shape !== undefined) {
        if (!isTuple(shape) || !shape.items.every(isDimension))
          throw new NpyHeaderError('a field shape of its structured dtype is not a tuple of non-negative integers');
        repeat = (shape.items as number[]).reduce((product, dimension) => product * dimension, 1);
      }
      const inner = describeDtype(type);
      itemSize += inner.itemSize * repeat;
      hasObject ||= inner.hasObject;
    }
    if (!Number.isSafeInteger(itemSize)) throw new NpyHeaderError('its structured dtype is too large');
    return { itemSize, hasObject };
  }
  throw new NpyHeaderError('its descr is neither a type string nor a list of fields');
}

function simpleDtype(descr: string): Dtype {
  if (OBJECT.test(descr)) return { itemSize: 8, hasObject: true };
  const match = NUMERIC.exec(descr);
  if (!match)
    throw new NpyHeaderError(
      `its dtype "${descr.slice(0, 40)}" is not one this reader knows, so whether numpy would unpickle its data cannot be told`,
    );
  if (match[1]) return { itemSize: 1, hasObject: false };
  const size = Number(match[3] ?? match[5] ?? match[7] ?? match[9] ?? 0);
  if (match[10]) return { itemSize: 4 * Number(match[11]), hasObject: false };
  if (match[12]) return { itemSize: 8, hasObject: false };
  return { itemSize: size, hasObject: false };
}

// ── Python literals (what ast.literal_eval accepts in a header) ─────────────────────────────────

interface Tuple {
  tuple: true;
  items: Literal[];
}
type Literal = string | number | boolean | null | Literal[] | Tuple | Map<string, Literal>;

function isDimension(value: Literal): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTuple(value: Literal | undefined): value is Tuple {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map) && value.tuple;
}

const MAX_DEPTH = 32;

class LiteralReader {
  private at = 0;
  constructor(private readonly text: string) {}

  document(): Literal {
    const value = this.value(0);
    this.space();
    if (this.at !== this.text.length) throw new NpyHeaderError(`its header has text after the dict (at ${this.at})`);
    return value;
  }

  private space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at++;
  }

  private fail(what: string): never {
    throw new NpyHeaderError(`its header is not a Python literal numpy reads (${what} at ${this.at})`);
  }

  private value(depth: number): Literal {
    if (depth > MAX_DEPTH) this.fail('too deeply nested');
    this.space();
    const char = this.text[this.at];
    if (char === '{') return this.dict(depth);
    if (char === '(') return this.sequence(')', depth, true);
    if (char === '[') return this.sequence(']', depth, false);
    if (char === "'" || char === '"') return this.string(char);
    const word = /^(True|False|None|-?\d{1,18}L?)(?![A-Za-z0-9_])/.exec(this.text.slice(this.at, this.at + 24));
    if (!word) this.fail('an unexpected token');
    this.at += word[1]!.length;
    if (word[1] === 'True') return true;
    if (word[1] === 'False') return false;
    if (word[1] === 'None') return null;
    return Number(word[1]!.replace(/L$/, ''));
  }

  private dict(depth: number): Map<string, Literal> {
    this.at++;
    const map = new Map<string, Literal>();
    for (;;) {
      this.space();
      if (this.text[this.at] === '}') {
        this.at++;
        return map;
      }
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('a key that is not a string');
      this.space();
      if (this.text[this.at] !== ':') this.fail("a missing ':'");
      this.at++;
      if (map.has(key)) this.fail(`the key ${key} twice`);
      map.set(key, this.value(depth + 1));
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== '}') this.fail("a missing ',' or '}'");
    }
  }

  private sequence(close: string, depth: number, tuple: boolean): Literal {
    this.at++;
    const items: Literal[] = [];
    let comma = false;
    for (;;) {
      this.space();
      if (this.text[this.at] === close) {
        this.at++;
        // (x) is x in Python; (x,) a tuple.
        if (tuple && items.length === 1 && !comma) return items[0]!;
        return tuple ? { tuple: true, items } : items;
      }
      items.push(this.value(depth + 1));
      this.space();
      comma = this.text[this.at] === ',';
      if (comma) this.at++;
      else if (this.text[this.at] !== close) this.fail(`a missing ',' or '${close}'`);
    }
  }

  private string(quote: string): string {
    this.at++;
    let out = '';
    for (;;) {
      const char = this.text[this.at++];
      if (char === undefined || char === '\n') this.fail('an unterminated string');
      if (char === quote) return out;
      if (char !== '\\') {
        out += char;
        continue;
      }
      const escape = this.text[this.at++];
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
      if (escape !== undefined && escape in simple) out += simple[escape]!;
      else if (escape === 'x' || escape === 'u') {
        const digits = this.text.slice(this.at, this.at + (escape === 'x' ? 2 : 4));
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (escape === 'x' ? 2 : 4)) this.fail('a bad escape');
        out += String.fromCharCode(parseInt(digits, 16));
        this.at += digits.length;
      } else this.fail('an escape this reader does not know');
    }
  }
}
