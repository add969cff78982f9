// What the uplink listener and its routes (judge.ts, tarball.ts) are given by the npm mount.
import type { Config } from '../../../config/index.js';
import type { Decider } from '../../../sources/decide.js';
import type { BoundedMap } from '../bounded-map.js';
import type { VerdictBook } from '../filter/verdict-book.js';

export interface UplinkDeps {
  config: Config;
  decider: Decider;
  book: VerdictBook;
  enforce: boolean;
  now: () => Date;
  /** Downloads in progress. */
  tmpDir: string;
  /** Why the last fetch of a tarball (`name/file`) failed, for the client's route. */
  failures: BoundedMap<string, TarballFailure>;
  /** Why the last fetch of a packument (by name) failed, for the client's route (Verdaccio says only "not found"). */
  packumentFailures: BoundedMap<string, string>;
  /** Versions each packument listed that could not be read (left out of what Verdaccio gets), for the judge. */
  unreadable: BoundedMap<string, Readonly<Record<string, string>>>;
}

export interface TarballFailure {
  reason: string;
  /** The bytes arrived but did not match the packument (an audit-worthy event). */
  integrity: boolean;
}
