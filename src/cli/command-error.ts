// How the command line shows a DepfenceError: one place for the wording and the exit code.
import type { ConfigError } from '../config/errors.js';
import { DepfenceError } from '../errors.js';
import type { InputError } from '../inputs/input-error.js';
import type { RequirementsReadError } from '../inputs/requirements.js';
import { EXIT } from '../policy/exit-codes.js';
import type { ListenError } from '../server/app.js';
import type { MirrorErrorCode } from '../sources/offline-store/errors.js';
import type { IndexError } from '../sources/osv/index-file.js';
import type { UpdateError } from '../sources/osv/update-error.js';
import type { ZipReadError } from '../sources/osv/zip-records.js';
import type { UpstreamErrorCode } from '../sources/upstream-error.js';
import type { UsageError } from './usage-error.js';

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

type MappedCode =
  | UsageError['code']
  | ConfigError['code']
  | InputError['code']
  | RequirementsReadError['code']
  | ListenError['code']
  | UpdateError['code']
  | ZipReadError['code']
  | IndexError['code']
  | UpstreamErrorCode
  | MirrorErrorCode
  | 'EPIN_FACTS';

/** Codes that are not a refusal (exit 1, the default for every other code). */
const EXIT_BY_CODE: Partial<Record<MappedCode, ExitCode>> = {
  EUSAGE: EXIT.usage,
  ECONFIG: EXIT.usage,
  EINPUT: EXIT.usage,
  EREQUIREMENTS: EXIT.usage,
  ELISTEN: EXIT.usage,
  EOSV_UPDATE: EXIT.usage,
  EOSV_ZIP: EXIT.usage,
  EOSV_INDEX: EXIT.usage,
  EUPSTREAM_TIMEOUT: EXIT.factsUnavailable,
  EUPSTREAM_UNREACHABLE: EXIT.factsUnavailable,
  EUPSTREAM_STATUS: EXIT.factsUnavailable,
  EUPSTREAM_MALFORMED: EXIT.factsUnavailable,
  EUPSTREAM_TOO_LARGE: EXIT.factsUnavailable,
  EFACTS: EXIT.factsUnavailable,
  EPIN_FACTS: EXIT.factsUnavailable,
};

/** The exit code of a command that failed with `error`: usage (2), facts unavailable (3), or else 1. */
export function exitCodeOf(error: DepfenceError): ExitCode {
  return EXIT_BY_CODE[error.code as MappedCode] ?? EXIT.denied;
}

/** Prints `depfence: MESSAGE` and the error's detail lines; returns the command's exit code. */
export function reportError(error: DepfenceError, err: (text: string) => void): ExitCode {
  err(`depfence: ${error.message}`);
  for (const line of error.problems) err(`  ${line}`);
  return exitCodeOf(error);
}

/**
 * `error` as a command tells it: what failed first (`update failed: `), and after the hint what was
 * left undone (`the index in force was left as it was`). The code, and so the exit code, stay the error's.
 */
export function inCommand(error: DepfenceError, failed: string, leftUndone?: string): DepfenceError {
  const hint = [error.hint, leftUndone].filter((part) => part).join('; ');
  return new DepfenceError(error.code, `${failed}${error.summary}`, { ...(hint && { hint }), problems: error.problems, cause: error });
}
