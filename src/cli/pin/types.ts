// What `depfence pin` works with, whatever the file: a pin the age gate holds back, the change made
// to it, and the refusal that leaves the file untouched.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';

export interface HeldPin {
  /** Where in the file: a lockfile path (`node_modules/a`) or `requirements.txt:4`. */
  path: string;
  name: string;
  version: string;
  /** The age finding's message (it says when the version is allowed). */
  reason: string;
  /** When the pinned version will be allowed (`2026-11-28 14:00 UTC`). */
  allowedFrom: string;
}

export interface PinChange {
  where: string;
  name: string;
  from: string;
  to: string;
  reason: string;
}

/** The newest version allowed now that `accepts` takes, or null. */
export type VersionChooser = (pin: HeldPin, accepts: (version: string) => boolean) => string | null;

/** Pinning cannot be done safely: nothing is written, and the message says why and what to do. */
export class PinRefusal extends DepfenceError<'EPIN_REFUSED'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EPIN_REFUSED', message, options);
  }
}
