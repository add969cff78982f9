// got, the HTTP client, and the one mapping from its errors to depfence's. Loaded with the first
// request (`loadGot` in upstream.ts), never at start-up: got and its dependencies take a good share
// of a command's start-up to load, and a command that asks nothing upstream (`check --offline`)
// never needs them.
import { CancelError, HTTPError, RequestError, TimeoutError } from 'got';
import { ArtifactError, statusError, retryAfter, triesText, UpstreamError, type UpstreamLabel } from './upstream-error.js';

export { default as got, HTTPError } from 'got';

/** Any failure of one request, as the UpstreamError (or ArtifactError) it is. */
export function toUpstreamError(
  error: unknown,
  url: string,
  label: UpstreamLabel,
  timeoutMs: number,
  attempts: number,
): UpstreamError | ArtifactError {
  if (error instanceof UpstreamError || error instanceof ArtifactError) return error;
  if (error instanceof RequestError && (error.cause instanceof UpstreamError || error.cause instanceof ArtifactError)) return error.cause;
  const tries = triesText(attempts);
  if (error instanceof HTTPError)
    return statusError(url, label, error.response.statusCode, attempts, {
      cause: error,
      ...retryAfter(error.response.headers['retry-after']),
    });
  if (error instanceof TimeoutError) {
    return new UpstreamError('EUPSTREAM_TIMEOUT', url, `${label.name} at ${url} did not answer within ${timeoutMs / 1000}s${tries}`, {
      hint: `check the network or ${label.setting} (or raise network.timeout)`,
      cause: error,
    });
  }
  const code = error instanceof RequestError ? error.code : undefined;
  const detail =
    error instanceof CancelError
      ? 'request cancelled'
      : `${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
  return new UpstreamError(
    'EUPSTREAM_UNREACHABLE',
    url,
    `${label.name} at ${url} could not be reached or broke off its answer (${detail})${tries}`,
    {
      hint: `check the network or ${label.setting}`,
      cause: error,
    },
  );
}
