// Everything the npm routes share, built once by the mount.
import type { Decision } from '../../policy/index.js';
import type { ServerContext } from '../app.js';
import type { HiddenVersionLog } from './audit.js';
import type { VerdictBook } from './filter/verdict-book.js';
import type { PackageGate } from './gate.js';
import type { TarballStore } from './tarball-store.js';
import type { EmbeddedVerdaccio } from './verdaccio.js';

export interface NpmEnv {
  context: ServerContext;
  verdaccio: EmbeddedVerdaccio;
  gate: PackageGate;
  book: VerdictBook;
  hiddenLog: HiddenVersionLog;
  store: TarballStore;
  limits: { packumentBytes: number; tarballBytes: number };
  /** Did this (passing) decision see the package on the public registry? */
  knownUpstream(decision: Decision): boolean;
}
