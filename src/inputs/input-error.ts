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
 * The 1-based line of the JSON key path `keys` (each key searched after the previous one), for
 * messages; 1 when a key is not found as written (an escaped spelling, say).
 */
export function lineOfKeys(text: string, keys: readonly string[]): number {
  let at = 0;
  for (const key of keys) {
    const found = text.indexOf(`${JSON.stringify(key)}`, at);
    if (found === -1) return 1;
    at = found + 1;
  }
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < at; index = text.indexOf('\n', index + 1)) line++;
  return line;
}
