import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';
/** A configuration problem a user can fix: the message names the key, where it was set and what is allowed. */
export class ConfigError extends DepfenceError<'ECONFIG'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('ECONFIG', message, options);
  }
}
