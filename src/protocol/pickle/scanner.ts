// A pickle opcode scanner: reads a pickle stream the way the unpickler would, without running
// anything, and reports every import it would make (GLOBAL, STACK_GLOBAL, INST, the extension
// registry). Fed in chunks, it holds only the stack model and small arguments in memory: the data
// of bytes and long strings is counted past, never kept.
//
// It models the stack and the memo far enough to know what STACK_GLOBAL imports (its module and
// name are strings pushed earlier, perhaps fetched from the memo), and it fails closed: an unknown
// opcode, a stack or memo the stream misuses, or a stream that ends mid-pickle is reported as
// unreadable, because the unpickler's reading of such a stream is not something to guess at.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';
import { HIGHEST_PROTOCOL, OPCODES, type Opcode } from './opcodes.js';
import { importedName, isSafeGlobal } from './safe-globals.js';

export interface PickleImport {
  /** `os.system`, `torch._utils._rebuild_tensor_v2`… (Python 2 module names mapped as the unpickler maps them). */
  name: string;
  opcode: string;
  /** Byte offset of the opcode in the stream. */
  offset: number;
  safe: boolean;
}

export type PickleVerdict =
  | { kind: 'safe'; imports: string[]; pickles: number }
  /** An import outside the safe list: the first one met (scanning stops there). */
  | { kind: 'unsafe'; unsafe: PickleImport; imports: string[] }
  | { kind: 'unreadable'; reason: string; offset: number };

export interface PickleScannerOptions {
  /** Names a checkpoint may import; default: what torch.load(weights_only=True) accepts. */
  isSafe?: (dotted: string) => boolean;
}

/** Strings longer than this are counted past, not kept: no module or name is this long. */
const MAX_TRACKED_STRING = 1024;
/** A line argument (GLOBAL's module, INT's digits…) longer than this is not a real pickle's. */
const MAX_LINE = 64 * 1024;
/** Pickles one stream may hold (torch's legacy format holds five). */
const MAX_PICKLES = 64;

/**
 * torch.save's legacy (pre-zip) format opens with a pickle of this number, and follows its fifth
 * pickle with raw tensor bytes that torch reads directly, not through the unpickler.
 */
const LEGACY_TORCH_MAGIC = Buffer.from([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const LEGACY_TORCH_PICKLES = 5;

/**
 * A stack value as far as the scanner cares: a string (which STACK_GLOBAL may import), a string
 * too long to keep, or anything else. Plain values, so a pickle of millions of items allocates
 * no wrapper per item.
 */
const OTHER = 0;
const LONG_STRING = 1;
type Item = string | typeof OTHER | typeof LONG_STRING;

class Unreadable extends DepfenceError<'EPICKLE_UNREADABLE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EPICKLE_UNREADABLE', message, options);
  }
}

type Continuation = (data: Buffer) => void;

export class PickleScanner {
  private readonly isSafe: (dotted: string) => boolean;
  private offset = 0;
  private opcodeOffset = 0;
  private stack: Item[] = [];
  private metastack: Item[][] = [];
  private memo = new Map<number, Item>();
  private pickles = 0;
  private inPickle = false;
  private legacyTorch = false;
  private firstPickleLongs: Buffer[] = [];
  private readonly imports = new Set<string>();
  private verdict: PickleVerdict | null = null;

  // What the parser is waiting for: an opcode, `need` bytes to collect, a line, or bytes to skip.
  private mode: 'opcode' | 'collect' | 'line' | 'skip' = 'opcode';
  private need = 0;
  private parts: Buffer[] = [];
  private collected = 0;
  private continuation: Continuation = () => {};

  constructor(options: PickleScannerOptions = {}) {
    this.isSafe = options.isSafe ?? isSafeGlobal;
  }

  /** Has the scan reached its verdict (an unsafe import, an unreadable stream, or the end of torch's legacy pickles)? */
  get done(): boolean {
    return this.verdict !== null;
  }

  /** Feed the next bytes of the stream. Returns false once more bytes would change nothing. */
  write(chunk: Buffer): boolean {
    if (this.verdict) return false;
    try {
      this.consume(chunk);
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error;
      this.verdict = { kind: 'unreadable', reason: error.message, offset: this.opcodeOffset };
    }
    return this.verdict === null;
  }

  /** The stream has ended: the verdict. */
  end(): PickleVerdict {
    if (this.verdict) return this.verdict;
    if (this.pickles === 0 && !this.inPickle && this.mode === 'opcode')
      return { kind: 'unreadable', reason: 'the stream is empty', offset: 0 };
    if (this.inPickle || this.mode !== 'opcode')
      return { kind: 'unreadable', reason: 'the stream ends in the middle of a pickle (truncated?)', offset: this.offset };
    return { kind: 'safe', imports: [...this.imports], pickles: this.pickles };
  }

  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.verdict) {
      switch (this.mode) {
        case 'opcode': {
          this.opcodeOffset = this.offset;
          const code = chunk[at++]!;
          this.offset++;
          at = this.opcode(code, chunk, at);
          break;
        }
        case 'skip': {
          const step = Math.min(this.need, chunk.length - at);
          at += step;
          this.offset += step;
          this.need -= step;
          if (this.need === 0) this.finish(Buffer.alloc(0));
          break;
        }
        case 'collect': {
          const step = Math.min(this.need - this.collected, chunk.length - at);
          this.parts.push(chunk.subarray(at, at + step));
          at += step;
          this.offset += step;
          this.collected += step;
          if (this.collected === this.need) this.finish(Buffer.concat(this.parts));
          break;
        }
        case 'line': {
          const newline = chunk.indexOf(0x0a, at);
          const end = newline === -1 ? chunk.length : newline;
          this.parts.push(chunk.subarray(at, end));
          this.collected += end - at;
          this.offset += end - at + (newline === -1 ? 0 : 1);
          at = newline === -1 ? chunk.length : newline + 1;
          if (this.collected > MAX_LINE) throw new Unreadable(`a line argument is longer than ${MAX_LINE} bytes`);
          if (newline !== -1) this.finish(Buffer.concat(this.parts));
          break;
        }
      }
    }
  }

  private finish(data: Buffer): void {
    const next = this.continuation;
    this.mode = 'opcode';
    this.parts = [];
    this.collected = 0;
    next(data);
  }

  private collect(bytes: number, then: Continuation): void {
    this.mode = 'collect';
    this.need = bytes;
    this.continuation = then;
    if (bytes === 0) this.finish(Buffer.alloc(0));
  }

  private skip(bytes: number, then: () => void): void {
    this.mode = 'skip';
    this.need = bytes;
    this.continuation = then;
    if (bytes === 0) this.finish(Buffer.alloc(0));
  }

  private line(then: Continuation): void {
    this.mode = 'line';
    this.continuation = then;
  }

  /**
   * Handles the opcode whose byte was just read; `chunk[at…]` is what follows it. Arguments that
   * lie wholly in the chunk are read in place (the common case); the rest are collected across
   * chunks. Returns where the next byte to read is.
   */
  private opcode(code: number, chunk: Buffer, at: number): number {
    const op = OPCODES[code];
    if (!op) throw new Unreadable(`byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`);
    if (!this.inPickle) {
      if (this.pickles >= MAX_PICKLES) throw new Unreadable(`the stream holds more than ${MAX_PICKLES} pickles`);
      this.inPickle = true;
    }
    const argument = op.argument;
    switch (argument.kind) {
      case 'none':
        this.apply(op, null);
        return at;
      case 'fixed':
        if (at + argument.bytes <= chunk.length) {
          this.offset += argument.bytes;
          // Only memo keys, the protocol number and extension codes are read; numbers are skipped.
          this.apply(op, op.effect === 'push' ? null : chunk.subarray(at, at + argument.bytes));
          return at + argument.bytes;
        }
        this.collect(argument.bytes, (data) => this.apply(op, data));
        return at;
      case 'line':
        this.line((data) => this.apply(op, data));
        return at;
      case 'two-lines':
        this.line((module) => this.line((name) => this.importFromLines(op, module, name)));
        return at;
      case 'counted': {
        const { lengthBytes } = argument;
        if (at + lengthBytes <= chunk.length) {
          const length = readLength(chunk.subarray(at, at + lengthBytes), argument.signed ?? false);
          this.offset += lengthBytes;
          return this.counted(op, length, chunk, at + lengthBytes);
        }
        this.collect(lengthBytes, (data) => this.counted(op, readLength(data, argument.signed ?? false), Buffer.alloc(0), 0));
        return at;
      }
    }
  }

  /** The data of a length-prefixed argument: kept when it may matter (short strings, torch's magic number), counted past otherwise. */
  private counted(op: Opcode, length: number, chunk: Buffer, at: number): number {
    const keep = op.effect === 'push-string' ? length <= MAX_TRACKED_STRING : op.name === 'LONG1' && this.pickles === 0;
    if (at + length <= chunk.length) {
      this.offset += length;
      // A string read in place (no copy): every safe global is ASCII, so latin-1 is exact enough (see decodeString).
      if (keep && op.effect === 'push-string') this.stack.push(chunk.toString('latin1', at, at + length));
      else this.apply(op, keep ? chunk.subarray(at, at + length) : null, length);
      return at + length;
    }
    if (keep) this.collect(length, (data) => this.apply(op, data, length));
    else this.skip(length, () => this.apply(op, null, length));
    return at;
  }

  private apply(op: Opcode, argument: Buffer | null, length = 0): void {
    const effect = op.effect;
    if (typeof effect === 'object') {
      this.drop(effect.pop, op);
      for (let i = 0; i < effect.push; i++) this.stack.push(OTHER);
      return;
    }
    switch (effect) {
      case 'push':
        if (op.name === 'LONG1' && this.pickles === 0 && argument) this.firstPickleLongs.push(Buffer.from(argument));
        this.stack.push(OTHER);
        return;
      case 'push-string':
        this.stack.push(argument === null && length > MAX_TRACKED_STRING ? LONG_STRING : decodeString(op, argument ?? Buffer.alloc(0)));
        return;
      case 'mark':
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case 'pop':
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark(op);
        return;
      case 'pop-mark':
        this.popMark(op);
        return;
      case 'pop-mark-push':
        this.popMark(op);
        this.stack.push(OTHER);
        return;
      case 'dup':
        this.stack.push(this.top(op));
        return;
      case 'memo-get': {
        const key = memoKey(op, argument!);
        const item = this.memo.get(key);
        if (item === undefined) throw new Unreadable(`${op.name} reads memo entry ${key}, which was never stored`);
        this.stack.push(item);
        return;
      }
      case 'memo-put':
        this.memo.set(memoKey(op, argument!), this.top(op));
        return;
      case 'memoize':
        this.memo.set(this.memo.size, this.top(op));
        return;
      case 'stack-global': {
        const name = this.top(op, 0);
        const module = this.top(op, 1);
        this.drop(2, op);
        if (module === OTHER || name === OTHER) throw new Unreadable('STACK_GLOBAL needs a module and a name pushed as strings');
        if (module === LONG_STRING || name === LONG_STRING) {
          return this.recordImport(
            op,
            `${module === LONG_STRING ? '<long string>' : module}.${name === LONG_STRING ? '<long string>' : name}`,
            false,
          );
        }
        this.recordImport(op, importedName(module, name));
        this.stack.push(OTHER);
        return;
      }
      case 'obj': {
        const count = this.popMark(op);
        if (count === 0) throw new Unreadable('OBJ has no class to call');
        this.stack.push(OTHER);
        return;
      }
      case 'extension':
        return this.recordImport(op, `copyreg extension code ${argument!.readUIntLE(0, argument!.length)}`, false);
      case 'proto': {
        const protocol = argument![0]!;
        if (protocol > HIGHEST_PROTOCOL)
          throw new Unreadable(`PROTO ${protocol} is newer than any protocol the scanner knows (${HIGHEST_PROTOCOL})`);
        return;
      }
      case 'frame':
        return;
      case 'stop':
        this.drop(1, op);
        return this.endPickle();
      case 'global':
      case 'inst':
        throw new Error(`${op.name} is handled with its arguments`);
    }
  }

  private importFromLines(op: Opcode, moduleLine: Buffer, nameLine: Buffer): void {
    const module = decodeUtf8(moduleLine, op);
    const name = decodeUtf8(nameLine, op);
    this.recordImport(op, importedName(module, name));
    if (this.verdict) return;
    if (op.effect === 'inst') this.popMark(op);
    this.stack.push(OTHER);
  }

  private recordImport(op: Opcode, dotted: string, safe = this.isSafe(dotted)): void {
    if (!safe) {
      this.verdict = {
        kind: 'unsafe',
        unsafe: { name: dotted, opcode: op.name, offset: this.opcodeOffset, safe },
        imports: [...this.imports, dotted],
      };
      return;
    }
    this.imports.add(dotted);
  }

  private endPickle(): void {
    this.pickles++;
    this.inPickle = false;
    if (this.pickles === 1) this.legacyTorch = this.firstPickleLongs.some((value) => value.equals(LEGACY_TORCH_MAGIC));
    this.stack = [];
    this.metastack = [];
    this.memo = new Map();
    // torch's legacy format: what follows its fifth pickle is raw tensor data, never unpickled.
    if (this.legacyTorch && this.pickles === LEGACY_TORCH_PICKLES)
      this.verdict = { kind: 'safe', imports: [...this.imports], pickles: this.pickles };
  }

  /** The value `depth` below the top of the stack. */
  private top(op: Opcode, depth = 0): Item {
    if (this.stack.length <= depth)
      throw new Unreadable(
        `${op.name} needs ${depth + 1} value${depth === 0 ? '' : 's'} on the stack, and there ${this.stack.length === 1 ? 'is' : 'are'} ${this.stack.length}`,
      );
    return this.stack[this.stack.length - 1 - depth]!;
  }

  private drop(count: number, op: Opcode): void {
    if (this.stack.length < count)
      throw new Unreadable(
        `${op.name} needs ${count} value${count === 1 ? '' : 's'} on the stack, and there ${this.stack.length === 1 ? 'is' : 'are'} ${this.stack.length}`,
      );
    this.stack.length -= count;
  }

  /** Pops back to the topmost MARK; returns how many values were above it. */
  private popMark(op: Opcode): number {
    const count = this.stack.length;
    const previous = this.metastack.pop();
    if (!previous) throw new Unreadable(`${op.name} needs a MARK on the stack, and there is none`);
    this.stack = previous;
    return count;
  }
}

function readLength(bytes: Buffer, signed: boolean): number {
  if (bytes.length === 8) {
    const value = bytes.readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unreadable(`a length of ${value} bytes is beyond any real file`);
    return Number(value);
  }
  const value = signed ? bytes.readIntLE(0, bytes.length) : bytes.readUIntLE(0, bytes.length);
  if (value < 0) throw new Unreadable(`a negative length (${value})`);
  return value;
}

function memoKey(op: Opcode, argument: Buffer): number {
  if (op.argument.kind === 'line') {
    const text = argument.toString('latin1').trim();
    if (!/^\d{1,15}$/.test(text)) throw new Unreadable(`${op.name} has a memo key "${text.slice(0, 40)}" that is not a number`);
    return Number(text);
  }
  return argument.readUIntLE(0, argument.length);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(data: Buffer, op: Opcode): string {
  try {
    return UTF8.decode(data);
  } catch {
    throw new Unreadable(`${op.name} names a module or attribute that is not UTF-8`);
  }
}

/**
 * The string a string opcode pushes, as far as matching it against the safe list goes: every safe
 * global is plain ASCII, so the bytes are read as latin-1 (each byte one character) and a name
 * with any other byte, however Python would decode it, matches nothing and stays refused.
 */
function decodeString(op: Opcode, data: Buffer): string {
  const text = data.toString('latin1');
  return op.name === 'STRING' ? text.trim().replace(/^(['"])(.*)\1$/s, '$2') : text;
}
