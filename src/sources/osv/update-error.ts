// The error of a threat-data update that failed. Its own module: the server and the update's
// worker thread tell a failed update by it without loading the update itself (zip reading, CVSS).
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';

export class UpdateError extends DepfenceError<'EOSV_UPDATE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EOSV_UPDATE', message, options);
  }
}
