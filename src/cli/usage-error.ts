/** A mistake in how depfence was called (a bad spec, an unreadable file): exit code 2. */
export class UsageError extends Error {
  readonly code = 'EUSAGE';
  override name = 'UsageError';
}
