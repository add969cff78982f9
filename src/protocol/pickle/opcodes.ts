// The pickle opcodes of protocols 0 to 5 (CPython's Lib/pickletools.py is the reference): for each,
// how its argument is encoded in the stream and what it does to the unpickler's stack. Any byte not
// in this table is not an opcode, and a stream holding one cannot be read (so it is refused).

/** How an opcode's argument follows it in the stream. */
export type ArgumentKind =
  | { kind: 'none' }
  /** A fixed number of bytes. */
  | { kind: 'fixed'; bytes: number }
  /** Text up to and including a newline. */
  | { kind: 'line' }
  /** Two newline-terminated lines: a module and a name (GLOBAL, INST). */
  | { kind: 'two-lines' }
  /** A little-endian length of `lengthBytes` bytes, then that many bytes of data. */
  | { kind: 'counted'; lengthBytes: 1 | 4 | 8; signed?: boolean };

/** What the opcode does, as far as the scanner models it. */
export type Effect =
  | 'push' // pushes one value that is not a string
  | 'push-string' // pushes a string (a STACK_GLOBAL module or name can only be one of these)
  | 'mark'
  | 'pop'
  | 'pop-mark' // pops everything down to and including the topmost mark
  | 'pop-mark-push' // collects everything down to the mark into one new value (LIST, TUPLE, DICT…)
  | 'dup'
  | 'memo-get'
  | 'memo-put'
  | 'memoize'
  | 'global' // GLOBAL: imports module.name given in its argument, pushes it
  | 'stack-global' // STACK_GLOBAL: pops a name and a module (both strings), imports, pushes
  | 'inst' // INST: imports module.name given in its argument, pops to the mark, pushes an instance
  | 'obj' // OBJ: pops to the mark (the class first), pushes an instance
  | 'extension' // EXT1/2/4: imports whatever the copyreg extension registry maps the code to
  | { pop: number; push: number } // a fixed stack effect (REDUCE, BUILD, SETITEM, TUPLE2…)
  | 'proto'
  | 'frame'
  | 'stop';

export interface Opcode {
  name: string;
  argument: ArgumentKind;
  effect: Effect;
}

const none = { kind: 'none' } as const;
const line = { kind: 'line' } as const;
const fixed = (bytes: number) => ({ kind: 'fixed', bytes }) as const;
const counted = (lengthBytes: 1 | 4 | 8, signed = false) => ({ kind: 'counted', lengthBytes, signed }) as const;

const TABLE: [string, number, ArgumentKind, Effect][] = [
  // protocol 0 and 1
  ['MARK', 0x28, none, 'mark'],
  ['STOP', 0x2e, none, 'stop'],
  ['POP', 0x30, none, 'pop'],
  ['POP_MARK', 0x31, none, 'pop-mark'],
  ['DUP', 0x32, none, 'dup'],
  ['FLOAT', 0x46, line, 'push'],
  ['INT', 0x49, line, 'push'],
  ['BININT', 0x4a, fixed(4), 'push'],
  ['BININT1', 0x4b, fixed(1), 'push'],
  ['LONG', 0x4c, line, 'push'],
  ['BININT2', 0x4d, fixed(2), 'push'],
  ['NONE', 0x4e, none, 'push'],
  ['PERSID', 0x50, line, 'push'],
  ['BINPERSID', 0x51, none, { pop: 1, push: 1 }],
  ['REDUCE', 0x52, none, { pop: 2, push: 1 }],
  ['STRING', 0x53, line, 'push-string'],
  ['BINSTRING', 0x54, counted(4, true), 'push-string'],
  ['SHORT_BINSTRING', 0x55, counted(1), 'push-string'],
  ['UNICODE', 0x56, line, 'push-string'],
  ['BINUNICODE', 0x58, counted(4), 'push-string'],
  ['EMPTY_LIST', 0x5d, none, 'push'],
  ['APPEND', 0x61, none, { pop: 1, push: 0 }],
  ['BUILD', 0x62, none, { pop: 1, push: 0 }],
  ['GLOBAL', 0x63, { kind: 'two-lines' }, 'global'],
  ['DICT', 0x64, none, 'pop-mark-push'],
  ['APPENDS', 0x65, none, 'pop-mark'],
  ['GET', 0x67, line, 'memo-get'],
  ['BINGET', 0x68, fixed(1), 'memo-get'],
  ['INST', 0x69, { kind: 'two-lines' }, 'inst'],
  ['LONG_BINGET', 0x6a, fixed(4), 'memo-get'],
  ['LIST', 0x6c, none, 'pop-mark-push'],
  ['OBJ', 0x6f, none, 'obj'],
  ['PUT', 0x70, line, 'memo-put'],
  ['BINPUT', 0x71, fixed(1), 'memo-put'],
  ['LONG_BINPUT', 0x72, fixed(4), 'memo-put'],
  ['SETITEM', 0x73, none, { pop: 2, push: 0 }],
  ['TUPLE', 0x74, none, 'pop-mark-push'],
  ['SETITEMS', 0x75, none, 'pop-mark'],
  ['EMPTY_DICT', 0x7d, none, 'push'],
  ['EMPTY_TUPLE', 0x29, none, 'push'],
  ['BINFLOAT', 0x47, fixed(8), 'push'],
  // protocol 2
  ['PROTO', 0x80, fixed(1), 'proto'],
  ['NEWOBJ', 0x81, none, { pop: 2, push: 1 }],
  ['EXT1', 0x82, fixed(1), 'extension'],
  ['EXT2', 0x83, fixed(2), 'extension'],
  ['EXT4', 0x84, fixed(4), 'extension'],
  ['TUPLE1', 0x85, none, { pop: 1, push: 1 }],
  ['TUPLE2', 0x86, none, { pop: 2, push: 1 }],
  ['TUPLE3', 0x87, none, { pop: 3, push: 1 }],
  ['NEWTRUE', 0x88, none, 'push'],
  ['NEWFALSE', 0x89, none, 'push'],
  ['LONG1', 0x8a, counted(1), 'push'],
  ['LONG4', 0x8b, counted(4, true), 'push'],
  // protocol 3
  ['BINBYTES', 0x42, counted(4), 'push'],
  ['SHORT_BINBYTES', 0x43, counted(1), 'push'],
  // protocol 4
  ['SHORT_BINUNICODE', 0x8c, counted(1), 'push-string'],
  ['BINUNICODE8', 0x8d, counted(8), 'push-string'],
  ['BINBYTES8', 0x8e, counted(8), 'push'],
  ['EMPTY_SET', 0x8f, none, 'push'],
  ['ADDITEMS', 0x90, none, 'pop-mark'],
  ['FROZENSET', 0x91, none, 'pop-mark-push'],
  ['NEWOBJ_EX', 0x92, none, { pop: 3, push: 1 }],
  ['STACK_GLOBAL', 0x93, none, 'stack-global'],
  ['MEMOIZE', 0x94, none, 'memoize'],
  ['FRAME', 0x95, fixed(8), 'frame'],
  // protocol 5
  ['BYTEARRAY8', 0x96, counted(8), 'push'],
  ['NEXT_BUFFER', 0x97, none, 'push'],
  ['READONLY_BUFFER', 0x98, none, { pop: 1, push: 1 }],
];

/** Opcode by byte value; undefined for a byte that is no opcode. */
export const OPCODES: readonly (Opcode | undefined)[] = (() => {
  const table = new Array<Opcode | undefined>(256).fill(undefined);
  for (const [name, code, argument, effect] of TABLE) table[code] = { name, argument, effect };
  return table;
})();

/** The highest protocol the table covers; PROTO naming a later one cannot be read. */
export const HIGHEST_PROTOCOL = 5;
