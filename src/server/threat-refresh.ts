// Keeps the firewall's threat data current while it runs: every feeds.osv.interval (and on
// SIGHUP, through `reload`) it looks for a newer index in the data dir and loads it without a
// restart; with feeds.osv.autoUpdate it first runs the update itself. A feed that cannot be
// reached leaves the index in force, is logged once per attempt, and is tried again only at the
// next interval, so a feed outage never becomes a retry storm or a crash. Never in offline mode.
import { formatAge, type Config } from '../config/index.js';
import { runThreatDataUpdate } from '../sources/osv/update-thread.js';
import type { ThreatData } from '../sources/osv/threat-data.js';

export interface UpdateAttempt {
  at: string;
  ok: boolean;
  /** What happened: "rebuilt", "unchanged", or why it failed. */
  outcome: string;
}

export class ThreatDataRefresher {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #lastUpdate: UpdateAttempt | null = null;
  readonly #stopping = new AbortController();

  constructor(
    private readonly config: Config,
    private readonly threatData: ThreatData,
    private readonly log: (message: string) => void,
  ) {}

  get autoUpdate(): boolean {
    return this.config.feeds.osv.autoUpdate && !this.config.offline;
  }

  get lastUpdate(): UpdateAttempt | null {
    return this.#lastUpdate;
  }

  /** Starts the interval; with autoUpdate, updates at once when the index is missing or older than the interval. */
  start(): void {
    const { interval } = this.config.feeds.osv;
    this.#timer = setInterval(() => void this.tick(), interval);
    this.#timer.unref();
    const checkedAt = this.threatData.status().meta?.checkedAt;
    if (this.autoUpdate && (checkedAt === undefined || Date.now() - Date.parse(checkedAt) >= interval)) void this.tick();
  }

  /**
   * Stops the interval and ends an update that is running (its worker; the index in force stays).
   * Resolves once that round has ended, so nothing writes to the data dir afterwards.
   */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopping.abort();
    await this.#running;
  }

  /** Loads a newer index from the data dir, if there is one (SIGHUP, or after an update). */
  reload(reason: string): boolean {
    const { changed, error } = this.threatData.refresh();
    const meta = this.threatData.status().meta;
    if (changed && meta) this.log(`threat data: loaded the index built ${meta.builtAt} (${reason})`);
    else if (error) this.log(`threat data: ${error}; the index in force stays (${reason})`);
    return changed;
  }

  /** One scheduled round: update (with autoUpdate), then reload. Rounds never overlap. */
  tick(): Promise<void> {
    this.#running ??= this.round().finally(() => (this.#running = null));
    return this.#running;
  }

  private async round(): Promise<void> {
    if (this.autoUpdate) {
      const at = new Date().toISOString();
      try {
        const result = await runThreatDataUpdate(this.config, this.config.feeds.osv.url, { signal: this.#stopping.signal });
        this.#lastUpdate = { at, ok: true, outcome: result.rebuilt ? 'rebuilt' : 'unchanged' };
      } catch (error) {
        this.#lastUpdate = { at, ok: false, outcome: (error as Error).message };
        if (this.#stopping.signal.aborted) return; // shutting down: there is no next try to announce
        const next = formatAge(this.config.feeds.osv.interval);
        this.log(`threat data: the update failed (${(error as Error).message}); the index in force stays, next try in ${next}`);
      }
    }
    this.reload('scheduled check');
  }
}
