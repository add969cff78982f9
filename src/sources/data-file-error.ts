// A data file depfence ships or builds (a download snapshot, a blocklist, the popular-name
// exclusions) that cannot be read: the install or the rebuild is at fault, not the user's input.
import { DepfenceError } from '../errors.js';

export type DataFileErrorCode = 'ESNAPSHOT' | 'EBLOCKLIST' | 'EEXCLUSIONS';

export class DataFileError extends DepfenceError<DataFileErrorCode> {
  constructor(
    code: DataFileErrorCode,
    readonly file: string,
    /** 1-based; 0: the file as a whole. */
    readonly line: number,
    message: string,
  ) {
    super(code, message);
  }
}
