// Requirements and constraints files, read the way pip reads them (pip's req_file.py), so that
// what depfence checks is exactly what pip would act on:
// - decoding: a byte-order mark (UTF-8, UTF-16, UTF-32) wins; else a PEP 263 coding cookie on one
//   of the first two lines that start with `#`; else UTF-8;
// - lines split as Python's str.splitlines() splits them (also at \v, \f, \x1c-\x1e, \x85,
//   U+2028 and U+2029);
// - a line ending in `\` is joined with the next, unless it is a comment line (a comment ending in
//   `\` does not continue); `#` starts a comment at the start of a line or after whitespace;
// - `${NAME}` (upper case, digits, `_`) replaced from the environment when set and not empty;
// - a line's requirement is the words (split at spaces) before the first one starting with `-`;
//   the rest are options, split as shlex splits them.
// Each line becomes typed entries (a requirement, an include, an option) with its file and line;
// options are read with pip's own option table (optparse: unique prefixes of long options too).
// The one reader for `check`, the shims, `mirror` and `pin`; each applies its own policy on top.
import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';
import { readFileSync } from 'node:fs';
import { optionTable, scanArgs, type ScannedOption } from './options.js';
import { classifyRequirement, type RequirementTarget } from './requirement.js';

export class RequirementsReadError extends DepfenceError<'EREQUIREMENTS'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EREQUIREMENTS', message, options);
  }
}

export interface RequirementLine {
  /** The line number of the first physical line (as pip reports it). */
  number: number;
  /** The line number of the last physical line (`\` continuations), for rewriters. */
  last: number;
  /** The requirement part: empty for an option line. */
  requirement: string;
  /** The options, split as shlex splits them (`--hash=…`, `-i`, `URL`). */
  options: string[];
}

/** Options that point pip at another source of packages (`--index` is `pip search`'s, and an abbreviation of `--index-url` elsewhere). */
export const PIP_SOURCE_OPTIONS = ['--index-url', '--pypi-url', '--extra-index-url', '--find-links', '--trusted-host', '--index'];

/** The options a requirements or constraints file may hold (pip's SUPPORTED_OPTIONS, plus per-line ones). */
export const REQUIREMENTS_FILE_OPTIONS = optionTable(
  {
    '--index-url': true,
    '--pypi-url': true,
    '--extra-index-url': true,
    '--no-index': false,
    '--constraint': true,
    '--requirement': true,
    '--editable': true,
    '--find-links': true,
    '--no-binary': true,
    '--only-binary': true,
    '--prefer-binary': false,
    '--require-hashes': false,
    '--pre': false,
    '--trusted-host': true,
    '--use-feature': true,
    '--global-option': true,
    '--hash': true,
    '--config-settings': true,
    '--index': true,
    '--default-index': true,
  },
  { '-i': '--index-url', '-c': '--constraint', '-r': '--requirement', '-e': '--editable', '-f': '--find-links' },
  true,
  [...PIP_SOURCE_OPTIONS, '--default-index'],
);

export type RequirementEntry =
  /** A requirement pip installs (or, from a constraints file, only constrains). `options` are its per-line ones (`--hash`). */
  | {
      kind: 'requirement';
      file: string;
      line: number;
      lastLine: number;
      text: string;
      target: RequirementTarget;
      options: string[];
      editable: boolean;
    }
  /** `-r FILE` / `-c FILE` (also `--requirement=FILE`, `-rFILE`, abbreviations): named, not followed. */
  | { kind: 'include'; file: string; line: number; written: string; value: string; constraint: boolean }
  /** Any other option pip reads on a line of its own (`--index-url URL`, `--pre`), with the name it resolves to. */
  | { kind: 'option'; file: string; line: number; option: ScannedOption };

/** A file's entries as pip reads them. Throws RequirementsReadError where pip could not read it either. */
export function readRequirementEntries(path: string, env: NodeJS.ProcessEnv, file = path): RequirementEntry[] {
  return requirementEntries(readRequirementsFile(path, env), file);
}

/**
 * The entries of lines read by requirementLines. Words left over after an option line's options
 * are ignored, as pip ignores them.
 */
export function requirementEntries(lines: readonly RequirementLine[], file: string): RequirementEntry[] {
  const entries: RequirementEntry[] = [];
  for (const { number: line, last: lastLine, requirement, options } of lines) {
    if (requirement !== '') {
      entries.push({
        kind: 'requirement',
        file,
        line,
        lastLine,
        text: requirement,
        target: classifyRequirement(requirement),
        options,
        editable: false,
      });
      continue;
    }
    for (const option of scanArgs(options, REQUIREMENTS_FILE_OPTIONS).options) {
      if ((option.name === '--requirement' || option.name === '--constraint') && option.value !== null) {
        entries.push({
          kind: 'include',
          file,
          line,
          written: option.written,
          value: option.value,
          constraint: option.name === '--constraint',
        });
      } else if (option.name === '--editable' && option.value !== null) {
        entries.push({
          kind: 'requirement',
          file,
          line,
          lastLine,
          text: option.value,
          target: classifyRequirement(option.value),
          options: [],
          editable: true,
        });
      } else {
        entries.push({ kind: 'option', file, line, option });
      }
    }
  }
  return entries;
}

/** Python's str.isspace() characters (what `\s` and strip() mean to pip). */
const SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const COMMENT = new RegExp(`(^|[${SPACE}]+)#.*$`);
const COMMENT_LINE = new RegExp(`^[${SPACE}]*#`);
const EDGE_SPACE = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'g');
/** str.splitlines() boundaries. */
const LINE_BREAK = /(\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])/;
const ENV_VARIABLE = /\$\{([A-Z0-9_]+)\}/g;

const BOMS: [number[], string][] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
  [[0xfe, 0xff], 'utf-16be'],
  [[0xff, 0xfe], 'utf-16le'],
];
const CODING = /coding[:=][ \t\f\v\r]*([-\w.]+)/;

/** The file's lines as pip parses them. */
export function readRequirementsFile(path: string, env: NodeJS.ProcessEnv): RequirementLine[] {
  return requirementLines(decodeRequirements(readFileSync(path), path), env);
}

/** The text of a requirements file, decoded as pip decodes it; throws when pip could not read it either. */
export function decodeRequirements(bytes: Buffer, label: string): string {
  for (const [bom, encoding] of BOMS) {
    if (bom.every((byte, index) => bytes[index] === byte)) return decode(bytes.subarray(bom.length), encoding, label);
  }
  const firstTwo = bytes
    .subarray(0, nthIndex(bytes, 0x0a, 2))
    .toString('latin1')
    .split('\n');
  for (const line of firstTwo) {
    if (!line.startsWith('#')) continue;
    const cookie = CODING.exec(line);
    if (cookie) return decode(bytes, cookie[1]!, label);
  }
  return decode(bytes, 'utf-8', label);
}

/** pip's preprocessing: split, join continued lines, strip comments, expand variables; then split requirement from options. */
export function requirementLines(text: string, env: NodeJS.ProcessEnv): RequirementLine[] {
  const lines: RequirementLine[] = [];
  for (const { number, last, line } of joinLines(physicalLines(text).lines)) {
    const content = line.replace(COMMENT, '').replace(EDGE_SPACE, '');
    if (content === '') continue;
    const expanded = content.replace(ENV_VARIABLE, (whole, name: string) => env[name] || whole);
    lines.push({ number, last, ...splitArgsAndOptions(expanded) });
  }
  return lines;
}

/** The physical lines pip numbers (line `n` is `lines[n - 1]`) and the break after each, so a rewriter can put the text back together. */
export function physicalLines(text: string): { lines: string[]; breaks: string[] } {
  const parts = text.split(LINE_BREAK);
  return { lines: parts.filter((_, index) => index % 2 === 0), breaks: parts.filter((_, index) => index % 2 === 1) };
}

/** A line ending in `\` continues on the next, unless it is a comment line. */
function joinLines(physical: string[]): { number: number; last: number; line: string }[] {
  const joined: { number: number; last: number; line: string }[] = [];
  let pendingNumber = 0;
  let pending: string[] = [];
  for (let index = 0; index < physical.length; index++) {
    const raw = physical[index]!;
    const comment = COMMENT_LINE.test(raw);
    if (raw.endsWith('\\') && !comment) {
      if (pending.length === 0) pendingNumber = index + 1;
      pending.push(raw.replace(/^\\+|\\+$/g, ''));
      continue;
    }
    const line = comment ? ` ${raw}` : raw;
    if (pending.length > 0) joined.push({ number: pendingNumber, last: index + 1, line: [...pending, line].join('') });
    else joined.push({ number: index + 1, last: index + 1, line });
    pending = [];
  }
  if (pending.length > 0) joined.push({ number: pendingNumber, last: physical.length, line: pending.join('') });
  return joined;
}

/** pip's break_args_options: words (split at single spaces) up to the first starting with `-`. */
function splitArgsAndOptions(line: string): { requirement: string; options: string[] } {
  const tokens = line.split(' ');
  const firstOption = tokens.findIndex((token) => token.startsWith('-'));
  const args = firstOption === -1 ? tokens : tokens.slice(0, firstOption);
  const options = firstOption === -1 ? [] : shlexSplit(tokens.slice(firstOption).join(' '));
  return { requirement: args.join(' ').replace(EDGE_SPACE, ''), options };
}

/** Python's shlex.split (POSIX mode): quotes, backslash escapes, `#` comments are off in split(). */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let started = false;
  let quote: '"' | "'" | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && index + 1 < text.length && '\\"$`\n'.includes(text[index + 1]!)) current += text[++index]!;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (char === '\\') {
      if (index + 1 < text.length) current += text[++index]!;
      started = true;
    } else if (/[ \t\r\n]/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw new RequirementsReadError(`the options "${text}" have an unclosed quote, which pip cannot split either`);
  if (started) words.push(current);
  return words;
}

function decode(bytes: Buffer, encoding: string, label: string): string {
  const name = encoding
    .toLowerCase()
    .replace(/_/g, '-')
    .replace(/^utf-?(16|32)-?(le|be)$/, 'utf-$1$2');
  try {
    if (name === 'utf-32le' || name === 'utf-32be' || name === 'utf-32') return decodeUtf32(bytes, name !== 'utf-32be');
    return new TextDecoder(WHATWG_NAMES[name] ?? name, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new RequirementsReadError(
      `${label} cannot be decoded as ${encoding} (${(error as Error).message}); pip would not read it either`,
    );
  }
}

/** Python codec names that WHATWG spells differently. */
const WHATWG_NAMES: Record<string, string> = {
  utf8: 'utf-8',
  u8: 'utf-8',
  'utf-16': 'utf-16le',
  'latin-1': 'latin1',
  l1: 'latin1',
  'iso8859-1': 'latin1',
  ascii: 'utf-8',
  'us-ascii': 'utf-8',
};

function decodeUtf32(bytes: Buffer, littleEndian: boolean): string {
  if (bytes.length % 4 !== 0) throw new Error('truncated UTF-32 data');
  let text = '';
  for (let at = 0; at < bytes.length; at += 4) text += String.fromCodePoint(littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  return text;
}

/** The index just past the `count`th occurrence of `byte` (or the end). */
function nthIndex(bytes: Buffer, byte: number, count: number): number {
  let at = -1;
  for (let found = 0; found < count; found++) {
    at = bytes.indexOf(byte, at + 1);
    if (at === -1) return bytes.length;
  }
  return at;
}
