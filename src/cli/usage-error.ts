import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';
/** A mistake in how depfence was called (a bad spec, an unreadable file): exit code 2. */
export class UsageError extends DepfenceError<'EUSAGE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EUSAGE', message, options);
  }
}
