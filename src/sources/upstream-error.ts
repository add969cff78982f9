// What went wrong with an upstream, as data: UpstreamError (the upstream did not answer usably)
// and ArtifactError (a file arrived that is not the one the index described, or may not be
// fetched at all); got's errors are mapped to them in got-request.ts. Every message names the
// upstream and the URL, says what happened, and says what to do next.
import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';

export type UpstreamErrorCode =
  'EUPSTREAM_TIMEOUT' | 'EUPSTREAM_UNREACHABLE' | 'EUPSTREAM_STATUS' | 'EUPSTREAM_MALFORMED' | 'EUPSTREAM_TOO_LARGE';

export interface UpstreamErrorOptions extends DepfenceErrorOptions {
  status?: number;
  /** The upstream's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  /** Asking again cannot help (a redirect depfence refuses to follow). */
  permanent?: boolean;
}

export class UpstreamError extends DepfenceError<UpstreamErrorCode> {
  readonly url: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;

  constructor(code: UpstreamErrorCode, url: string, summary: string, options: UpstreamErrorOptions = {}) {
    super(code, summary, options);
    this.url = url;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}

export type ArtifactErrorCode = 'EARTIFACT_INTEGRITY' | 'EARTIFACT_SIZE' | 'EARTIFACT_URL';

/** A download that arrived but is not the file the index described (or may not be fetched at all). */
export class ArtifactError extends DepfenceError<ArtifactErrorCode> {
  constructor(
    code: ArtifactErrorCode,
    readonly url: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Who is being asked, for error messages: `{ name: 'npm registry', setting: 'upstreams.npm.registry' }`. */
export interface UpstreamLabel {
  name: string;
  setting: string;
}

export const DEFAULT_LABEL: UpstreamLabel = { name: 'upstream', setting: 'the upstreams configuration' };

export function malformedError(url: string, label: UpstreamLabel, cause: unknown): UpstreamError {
  return new UpstreamError(
    'EUPSTREAM_MALFORMED',
    url,
    `${label.name} at ${url} sent a response depfence cannot read (${(cause as Error).message}), so nothing from it is used`,
    {
      hint: `if ${label.setting} is set to a proxy or mirror, check what it serves, otherwise retry later and report it to depfence if it persists`,
      cause,
    },
  );
}

export function tooLargeError(url: string, label: UpstreamLabel, limitBytes: number): UpstreamError {
  return new UpstreamError(
    'EUPSTREAM_TOO_LARGE',
    url,
    `${label.name} at ${url} sent more than ${limitBytes} bytes, so depfence stopped reading`,
    {
      hint: 'raise network.maxResponseBytes if responses this large are expected',
    },
  );
}

export function statusError(
  url: string,
  label: UpstreamLabel,
  status: number,
  attempts: number,
  options: { retryAfterMs?: number; cause?: unknown } = {},
): UpstreamError {
  return new UpstreamError('EUPSTREAM_STATUS', url, `${label.name} at ${url} answered HTTP ${status}${triesText(attempts)}`, {
    hint:
      status >= 500 || status === 429
        ? 'it may be down or rate-limiting: try again later'
        : `check ${label.setting} and any credentials it needs`,
    status,
    ...options,
  });
}

/** A redirect to `target` that depfence does not follow. */
export function offOriginRedirect(url: string, label: UpstreamLabel, target: URL): UpstreamError {
  const origin = new URL(url).origin;
  return new UpstreamError(
    'EUPSTREAM_UNREACHABLE',
    url,
    `${label.name} at ${url} redirected to ${target.href}, which is not on ${origin}`,
    {
      hint: `depfence follows redirects only on the registry it is configured with (${label.setting})`,
      permanent: true,
    },
  );
}

/** Retry-After (seconds or an HTTP date) in milliseconds, if the header is given and readable. */
export function retryAfter(header: string | string[] | undefined): { retryAfterMs?: number } {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return {};
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? {} : { retryAfterMs: Math.max(0, ms) };
}

export function triesText(attempts: number): string {
  return attempts <= 1 ? '' : ` (${attempts} attempts)`;
}
