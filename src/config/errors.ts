/** A configuration problem a user can fix: the message names the key, where it was set and what is allowed. */
export class ConfigError extends Error {
  readonly code = 'ECONFIG';
  override name = 'ConfigError';
}
