// Remembers an upstream that just failed to answer, so the next requests do not each wait out the
// full timeout and retries: for a while they are not sent at all and the caller falls back at
// once. Used for the download-count APIs, which a firewall can do without (the bundled snapshot
// stands in) and which are often unreachable from locked-down networks.
export class Breaker {
  readonly #open = new Map<string, { until: number; reason: string }>();

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

  trip(key: string, reason: string): void {
    this.#open.set(key, { until: this.now() + this.cooldownMs, reason });
  }

  reset(key: string): void {
    this.#open.delete(key);
  }
}
