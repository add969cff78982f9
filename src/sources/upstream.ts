// What every request to an upstream shares, whichever client sends it (the metadata client in
// http.ts, the streaming downloads in download.ts, Verdaccio's uplink): the user agent, the one
// retry policy, and the redirect rule.
import type { Hooks } from 'got';
import { loadOnce } from './load-once.js';
import { UpstreamError } from './upstream-error.js';

/** got, loaded with the first request (see got-request.ts). */
export const loadGot = loadOnce(() => import('./got-request.js'));

export const USER_AGENT = 'depfence (package firewall; +https://github.com/depfence/depfence)';

/** The `network` settings every upstream client is built with. */
export interface NetworkSettings {
  timeoutMs: number;
  retries: number;
  concurrency: number;
  cacheTtlMs: number;
  staleIfErrorMs: number;
  maxResponseBytes: number;
}

export interface RetrySettings {
  /** Retries after the first attempt. */
  retries: number;
  /** First retry delay, doubled each retry (capped at 2 s). Default 200 ms. */
  retryDelayMs?: number;
  /**
   * The waits before retries (backoff and Retry-After) add up to at most this: a retry that would
   * take them past it is not made, and the error stands. So waiting costs a request at most one
   * timeout in all, however often the upstream asks to be tried again later.
   */
  timeoutMs: number;
  /**
   * Runs each attempt (a concurrency limiter's slot): the wait before a retry holds no slot, and
   * neither does whatever the caller does with the answer afterwards.
   */
  slot?: <T>(attempt: () => Promise<T>) => Promise<T>;
}

/** Statuses that say "ask again later"; every other 4xx and 5xx is an answer. */
const RETRY_STATUS = new Set([429, 500, 502, 503, 504, 505, 507, 508, 520, 521, 522, 523, 524, 525, 526, 527, 529, 530]);
const MAX_DELAY_MS = 2000;

/**
 * The retry policy: network errors, timeouts, 5xx and 429 are tried again, with exponential
 * backoff (or the upstream's Retry-After), at most `retries` times and while the waits fit in
 * `timeoutMs` together; anything else fails at once. `attempt` gets the 1-based attempt number
 * (for messages such as "(3 attempts)").
 */
export async function withRetries<T>(settings: RetrySettings, attempt: (number: number) => Promise<T>): Promise<T> {
  const run = settings.slot ?? ((once: () => Promise<T>) => once());
  let waited = 0;
  for (let number = 1; ; number++) {
    try {
      return await run(() => attempt(number));
    } catch (error) {
      const delay = number > settings.retries ? null : retryDelay(error, number, settings);
      if (delay === null || waited + delay > settings.timeoutMs) throw error;
      waited += delay;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** How long to wait before trying again after `error` on attempt `number`, or null: do not. */
function retryDelay(error: unknown, number: number, settings: RetrySettings): number | null {
  if (!(error instanceof UpstreamError) || error.permanent) return null;
  const transient =
    error.code === 'EUPSTREAM_TIMEOUT' ||
    error.code === 'EUPSTREAM_UNREACHABLE' ||
    (error.code === 'EUPSTREAM_STATUS' && RETRY_STATUS.has(error.status ?? 0));
  if (!transient) return null;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  return Math.min((settings.retryDelayMs ?? 200) * 2 ** (number - 1), MAX_DELAY_MS);
}

/** got hooks that refuse a redirect `refuse` returns an error for (thrown from the request). */
export function redirectGuard(refuse: (target: URL) => Error | null): Partial<Hooks> {
  return {
    beforeRedirect: [
      (redirected) => {
        const target = redirected.url instanceof URL ? redirected.url : new URL(String(redirected.url));
        const error = refuse(target);
        if (error) throw error;
      },
    ],
  };
}

/** The default redirect rule: the same origin as the URL asked for, and no credentials in the target. */
export function sameOrigin(url: string): (target: URL) => boolean {
  const origin = new URL(url).origin;
  return (target) => target.origin === origin && !target.username && !target.password;
}
