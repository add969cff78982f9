// Everything the npm routes share, built once by the mount.
import type { Decision } from '../../policy/index.js';
import type { ArtifactStore } from '../../sources/artifacts.js';
import type { ServerContext } from '../context.js';
import type { HiddenVersionLog } from './audit.js';
import type { BoundedMap } from './bounded-map.js';
import type { VerdictBook } from './filter/verdict-book.js';
import type { PackageGate } from './gate.js';
import type { PublicPackuments } from './public/packuments.js';
import type { RegistryClient } from './registry/forward.js';
import type { TarballFailure } from './uplink/deps.js';

export interface NpmEnv {
  context: ServerContext;
  /** The registry process (Verdaccio), asked over loopback HTTP: the names reserved for internal packages. */
  registry: RegistryClient;
  /** Public packages' packuments, judged (depfence serves public packages itself). */
  publicPackuments: PublicPackuments;
  /** Public packages' verified tarballs. */
  tarballs: ArtifactStore;
  gate: PackageGate;
  book: VerdictBook;
  hiddenLog: HiddenVersionLog;
  /** Why the uplink listener last failed to fetch a tarball (`name/file`) for the registry process. */
  tarballFailures: BoundedMap<string, TarballFailure>;
  /** Why the uplink listener last failed to fetch a packument (by name) for the registry process. */
  packumentFailures: BoundedMap<string, string>;
  limits: { packumentBytes: number };
  /** Did this (passing) decision see the package on the public registry? */
  knownUpstream(decision: Decision): boolean;
}
