// An input file (package.json, a lockfile) that cannot be read as its format: a usage error.
import { DepfenceError } from '../errors.js';

export class InputError extends DepfenceError<'EINPUT'> {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('EINPUT', message);
  }
}

/** The document in a JSON input file. */
export function parseJsonInput(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Lines of JSON keys, for messages: each call finds `"key":` after the previous match (keys are
 * asked for in file order, so a whole lockfile is scanned once); 1 when a key is not found as
 * written (an escaped spelling, say).
 */
export function keyLines(text: string): (key: string) => number {
  let at = 0;
  let line = 1;
  return (key) => {
    const quoted = JSON.stringify(key);
    let found = text.indexOf(quoted, at);
    while (found !== -1 && !/^\s*:/.test(text.slice(found + quoted.length, found + quoted.length + 16)))
      found = text.indexOf(quoted, found + 1);
    if (found === -1) return 1;
    for (let index = text.indexOf('\n', at); index !== -1 && index < found; index = text.indexOf('\n', index + 1)) line++;
    at = found + 1;
    return line;
  };
}

/** `read` itself, or its first invalid entry thrown: for callers that refuse a file npm would not read as written. */
export function strictly<T extends { invalid: readonly InputError[] }>(read: T): T {
  if (read.invalid[0]) throw read.invalid[0];
  return read;
}
