// Remembers an upstream that just failed to answer, so the next requests do not each wait out the
// full timeout and retries: for a while they are not sent at all and the caller falls back at
// once. Used for the download-count APIs, which a firewall can do without (the bundled snapshot
// stands in) and which are often unreachable from locked-down networks.
//
// Until an upstream has answered once, its requests are admitted one at a time: the first is a
// probe and the rest wait for its outcome, so a dead API costs one timeout per cooldown, not one
// per package of a 1,000-entry lockfile checked at once.
export type Admission = { skip: string } | { skip: null; done(): void };

/** Server errors in a row that open the breaker on an API that has answered before. */
const SERVER_ERRORS_TO_TRIP = 3;

export class Breaker {
  readonly #open = new Map<string, { until: number; reason: string }>();
  readonly #answered = new Set<string>();
  readonly #probes = new Map<string, Promise<void>>();
  readonly #serverErrors = new Map<string, number>();

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why `key` is not being asked right now, or null when it may be. */
  openReason(key: string): string | null {
    const open = this.#open.get(key);
    if (!open) return null;
    if (this.now() >= open.until) {
      this.#open.delete(key);
      return null;
    }
    return `${open.reason} (not asked again for ${Math.ceil((open.until - this.now()) / 1000)}s)`;
  }

  /**
   * May a request to `key` go now? `{skip}` says why not; otherwise call `done()` once the request
   * has ended (after `reset` or `trip`), which lets the requests waiting on a probe go on.
   */
  async admit(key: string): Promise<Admission> {
    for (;;) {
      const reason = this.openReason(key);
      if (reason !== null) return { skip: reason };
      if (this.#answered.has(key)) return { skip: null, done: () => {} };
      const probe = this.#probes.get(key);
      if (probe === undefined) break;
      await probe;
    }
    let release!: () => void;
    this.#probes.set(key, new Promise<void>((resolve) => (release = resolve)));
    return {
      skip: null,
      done: () => {
        this.#probes.delete(key);
        release();
      },
    };
  }

  trip(key: string, reason: string): void {
    this.#answered.delete(key);
    this.#serverErrors.delete(key);
    this.#open.set(key, { until: this.now() + this.cooldownMs, reason });
  }

  /**
   * A server error (5xx) may concern one package only: it trips an API that has not answered yet,
   * and otherwise only the third in a row, so one broken entry does not close the API for all.
   */
  serverError(key: string, reason: string): void {
    const inARow = (this.#serverErrors.get(key) ?? 0) + 1;
    if (!this.#answered.has(key) || inARow >= SERVER_ERRORS_TO_TRIP) this.trip(key, reason);
    else this.#serverErrors.set(key, inARow);
  }

  reset(key: string): void {
    this.#open.delete(key);
    this.#serverErrors.delete(key);
    this.#answered.add(key);
  }
}
