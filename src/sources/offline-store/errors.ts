// Errors of the mirror side as data: a code callers branch on, and a message a person can act on.
import { DepfenceError } from '../../errors.js';

export type MirrorErrorCode =
  /** The bundle is not a readable archive, or an entry in it is refused (path, type, size, hash). */
  | 'EBUNDLE'
  /** The bundle is larger than allowed, or the disk has no room for it. */
  | 'EBUNDLE_SIZE'
  /** The detached signature is missing, malformed, or does not verify. */
  | 'ESIGNATURE'
  /** The bundle conflicts with what the store already holds (same file name, other bytes). */
  | 'ESTORE_CONFLICT'
  /** The offline store on disk is unreadable. */
  | 'ESTORE'
  /** A package was denied while mirroring. */
  | 'EDENIED'
  /** The facts to vet a package could not be had (upstream down). */
  | 'EFACTS'
  /** pip or npm failed to resolve the input. */
  | 'ERESOLVE'
  /** The input files cannot be mirrored as written. */
  | 'EINPUT';

export class MirrorError extends DepfenceError<MirrorErrorCode> {
  constructor(code: MirrorErrorCode, message: string, problems: readonly string[] = []) {
    super(code, message, { problems });
  }
}

/** Names echoed from an untrusted bundle: control characters escaped, cut short. */
export function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
