// The one error type of depfence: every error it raises on purpose, in every layer, is a
// DepfenceError with a code callers branch on, a message saying what happened and why, and a hint
// saying what to do next. The command line prints them and maps their codes to exit codes in one
// place (cli/command-error.ts); the servers answer with the same message.

export interface DepfenceErrorOptions {
  /** What to do next, when the message alone does not say. Shown after the message. */
  hint?: string;
  /** One line each: the problems behind the message (shown under it). */
  problems?: readonly string[];
  cause?: unknown;
}

export class DepfenceError<Code extends string = string> extends Error {
  readonly code: Code;
  /** What happened and why, without the hint. */
  readonly summary: string;
  readonly hint: string | null;
  /** Not named `details`: test runners (uvu) read that field of a thrown error as a diff string. */
  readonly problems: readonly string[];

  constructor(code: Code, summary: string, options: DepfenceErrorOptions = {}) {
    super(options.hint ? `${summary}; ${options.hint}` : summary, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.summary = summary;
    this.hint = options.hint ?? null;
    this.problems = options.problems ?? [];
  }
}

/** `error instanceof DepfenceError`, with the code typed as a string (instanceof types it `any`). */
export function isDepfenceError(error: unknown): error is DepfenceError {
  return error instanceof DepfenceError;
}
