// A pickle opcode scanner: reads a pickle stream the way the unpickler would, without running
// anything, and reports every import it would make (GLOBAL, STACK_GLOBAL, INST, the extension
// registry). Fed in chunks, it holds only the stack model and small arguments in memory: the data
// of bytes and long strings is counted past, never kept.
//
// It models the stack and the memo far enough to know what STACK_GLOBAL imports (its module and
// name are strings pushed earlier, perhaps fetched from the memo), and it fails closed: an unknown
// opcode, a stack or memo the stream misuses, or a stream that ends mid-pickle is reported as
// unreadable, because the unpickler's reading of such a stream is not something to guess at.
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

type Item = { kind: 'mark' } | { kind: 'string'; value: string | null } | { kind: 'other' };
const OTHER: Item = { kind: 'other' };

class Unreadable extends Error {}

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
    if (this.pickles === 0 && !this.inPickle && this.mode === 'opcode') return { kind: 'unreadable', reason: 'the stream is empty', offset: 0 };
    if (this.inPickle || this.mode !== 'opcode') return { kind: 'unreadable', reason: 'the stream ends in the middle of a pickle (truncated?)', offset: this.offset };
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
          this.opcode(code);
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

  private opcode(code: number): void {
    const op = OPCODES[code];
    if (!op) throw new Unreadable(`byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`);
    if (!this.inPickle) {
      if (this.pickles >= MAX_PICKLES) throw new Unreadable(`the stream holds more than ${MAX_PICKLES} pickles`);
      this.inPickle = true;
    }
    const argument = op.argument;
    switch (argument.kind) {
      case 'none':
        return this.apply(op, null);
      case 'fixed':
        return this.collect(argument.bytes, (data) => this.apply(op, data));
      case 'line':
        return this.line((data) => this.apply(op, data));
      case 'two-lines':
        return this.line((module) => this.line((name) => this.importFromLines(op, module, name)));
      case 'counted':
        return this.collect(argument.lengthBytes, (lengthBytes) => {
          const length = readLength(lengthBytes, argument.signed ?? false);
          const keep = op.effect === 'push-string' ? length <= MAX_TRACKED_STRING : op.name === 'LONG1' && this.pickles === 0;
          if (keep) this.collect(length, (data) => this.apply(op, data));
          else this.skip(length, () => this.apply(op, null));
        });
    }
  }

  private apply(op: Opcode, argument: Buffer | null): void {
    const effect = op.effect;
    if (typeof effect === 'object') {
      this.popN(effect.pop, op);
      for (let i = 0; i < effect.push; i++) this.stack.push(OTHER);
      return;
    }
    switch (effect) {
      case 'push':
        if (op.name === 'LONG1' && this.pickles === 0 && argument) this.firstPickleLongs.push(argument);
        this.stack.push(OTHER);
        return;
      case 'push-string':
        this.stack.push({ kind: 'string', value: argument === null ? null : decodeString(op, argument) });
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
        if (!item) throw new Unreadable(`${op.name} reads memo entry ${key}, which was never stored`);
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
        const [module, name] = this.popN(2, op);
        if (module?.kind !== 'string' || name?.kind !== 'string') throw new Unreadable('STACK_GLOBAL needs a module and a name pushed as strings');
        if (module.value === null || name.value === null) {
          return this.recordImport(op, `${module.value ?? '<long string>'}.${name.value ?? '<long string>'}`, false);
        }
        this.recordImport(op, importedName(module.value, name.value));
        this.stack.push(OTHER);
        return;
      }
      case 'obj': {
        const items = this.popMark(op);
        if (items.length === 0) throw new Unreadable('OBJ has no class to call');
        this.stack.push(OTHER);
        return;
      }
      case 'extension':
        return this.recordImport(op, `copyreg extension code ${argument!.readUIntLE(0, argument!.length)}`, false);
      case 'proto': {
        const protocol = argument![0]!;
        if (protocol > HIGHEST_PROTOCOL) throw new Unreadable(`PROTO ${protocol} is newer than any protocol the scanner knows (${HIGHEST_PROTOCOL})`);
        return;
      }
      case 'frame':
        return;
      case 'stop':
        this.popN(1, op);
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
      this.verdict = { kind: 'unsafe', unsafe: { name: dotted, opcode: op.name, offset: this.opcodeOffset, safe }, imports: [...this.imports, dotted] };
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
    if (this.legacyTorch && this.pickles === LEGACY_TORCH_PICKLES) this.verdict = { kind: 'safe', imports: [...this.imports], pickles: this.pickles };
  }

  private top(op: Opcode): Item {
    const item = this.stack[this.stack.length - 1];
    if (!item) throw new Unreadable(`${op.name} needs a value on the stack, and there is none`);
    return item;
  }

  private popN(count: number, op: Opcode): Item[] {
    if (this.stack.length < count) throw new Unreadable(`${op.name} needs ${count} value${count === 1 ? '' : 's'} on the stack, and there ${this.stack.length === 1 ? 'is' : 'are'} ${this.stack.length}`);
    return this.stack.splice(this.stack.length - count, count);
  }

  private popMark(op: Opcode): Item[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) throw new Unreadable(`${op.name} needs a MARK on the stack, and there is none`);
    this.stack = previous;
    return items;
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

function decodeUtf8(data: Buffer, op: Opcode): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new Unreadable(`${op.name} names a module or attribute that is not UTF-8`);
  }
}

/**
 * The string a string opcode pushes. Byte strings (STRING, BINSTRING…) decode as text in Python 3
 * only through the unpickler's `encoding`; latin-1 keeps every byte, so a name that is not plain
 * ASCII simply matches no safe global.
 */
function decodeString(op: Opcode, data: Buffer): string {
  if (op.name === 'STRING') return data.toString('latin1').trim().replace(/^(['"])(.*)\1$/s, '$2');
  if (op.name.includes('UNICODE')) return op.name === 'UNICODE' ? data.toString('latin1') : decodeUtf8(data, op);
  return data.toString('latin1');
}
