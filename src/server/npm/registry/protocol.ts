// The messages between depfence and its registry process (Node's IPC channel, JSON): depfence
// sends one `start`, the child answers `ready` with the loopback port Verdaccio listens on, or
// `failed` with why it could not start. Secrets travel only here, never in argv or the environment
// (both are readable by other processes of the same user).
import type { VerdaccioConfig } from '../verdaccio-config.js';

export interface StartMessage {
  type: 'start';
  /** Verdaccio's configuration (plain data: the child adds the plugin functions itself). */
  verdaccio: VerdaccioConfig;
  /** Where the child's version filter asks depfence for its verdicts. */
  judgeUrl: string;
  /** Proves to depfence's uplink listener that a request comes from this child. */
  uplinkSecret: string;
  /** Proves to the child's Verdaccio that a request comes from depfence (its front door). */
  frontSecret: string;
}

export type ChildMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string };

/** The header depfence's requests to the child carry (checked by the front-door middleware). */
export const FRONT_HEADER = 'x-depfence-front';

/** The threat-data generation in force when depfence forwarded the request (see filter/judgement-reuse.ts). */
export const GENERATION_HEADER = 'x-depfence-generation';
