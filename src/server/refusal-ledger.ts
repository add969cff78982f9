// The refusals the firewall answered lately, kept in memory for the shims' report after a command
// (GET /-/depfence/refusals?since=ISO&client=npm). npm skips an optional dependency that fails
// without a word, and pip reports a refused index page only as "no matching distribution": the
// shim asks what the firewall refused while the command ran, names it, and ends with depfence's
// exit code (1 denied by policy, 3 facts unavailable).
import type { ServerResponse } from 'node:http';

export interface Refusal {
  time: string;
  /** The client's first user-agent word: npm, pip, uv… */
  client: string;
  path: string;
  reason: string;
  /** Refused because a fact could not be had (upstream down, timeout), not on known facts. */
  unavailable: boolean;
}

interface Mark {
  reason: string;
  unavailable: boolean;
}

const marks = new WeakMap<ServerResponse, Mark>();

/** Notes that `res` answers a refusal; an earlier mark saying the facts were unavailable is kept. */
export function markRefusal(res: ServerResponse, reason: string, unavailable: boolean): void {
  marks.set(res, { reason, unavailable: unavailable || (marks.get(res)?.unavailable ?? false) });
}

export function refusalMark(res: ServerResponse): Mark | undefined {
  return marks.get(res);
}

const KEEP = 2_000;

export class RefusalLedger {
  readonly #entries: Refusal[] = [];

  record(refusal: Refusal): void {
    this.#entries.push(refusal);
    if (this.#entries.length > KEEP) this.#entries.splice(0, this.#entries.length - KEEP);
  }

  /** Refusals at or after `since`, for `client` when given, oldest first. */
  since(since: Date, client: string | null): Refusal[] {
    const from = since.toISOString();
    return this.#entries.filter((entry) => entry.time >= from && (client === null || entry.client === client));
  }
}
