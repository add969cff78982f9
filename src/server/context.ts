// What every route of `depfence serve` is given (the configuration, the decider, the audit log…)
// and the shape of a mount: the types shared by the server and the mounts it is built from.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/index.js';
import type { Decider } from '../sources/decide.js';
import type { AuditLog } from './audit.js';
import type { RefusalLedger } from './refusal-ledger.js';
import type { ThreatDataRefresher } from './threat-refresh.js';

export interface ServerContext {
  config: Config;
  decider: Decider;
  audit: AuditLog;
  /** Keeps the decider's threat data current (interval, SIGHUP, autoUpdate). */
  threatRefresh: ThreatDataRefresher;
  /** The refusals answered lately (GET /-/depfence/refusals). */
  refusals: RefusalLedger;
  now: () => Date;
}

/** Answers a request; a handler that does I/O returns a promise, one that answers from memory may not. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

/** A part of the URL space: the first route whose prefix matches the path handles the request. */
export interface Mount {
  prefix: string;
  handler: RouteHandler;
  /** Stops what the mount runs besides its routes (the npm registry process), after the server closed. */
  close?(): Promise<void>;
}
