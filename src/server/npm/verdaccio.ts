// Verdaccio 6.8.0 embedded in depfence's process: `runServer` builds the Express app and wraps it
// in an http.Server that depfence never starts listening; depfence calls the server's request
// listener from its own root mount instead, so the npm API shares the origin (and the port) with
// the PyPI index and the admin endpoints, and nothing reaches Verdaccio except through depfence.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { VerdaccioConfig } from './verdaccio-config.js';
import { installUplinkGuard } from './uplink-guard.js';

/** Express's app function: `next` (optional) receives what falls through every route and handler. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

export interface EmbeddedVerdaccio {
  /** Verdaccio's Express app: give it a request and it answers it. */
  handle: RequestListener;
  config: VerdaccioConfig;
}

export async function startVerdaccio(config: VerdaccioConfig): Promise<EmbeddedVerdaccio> {
  // Verdaccio's file logger crashes the process (an unhandled 'error') if its folder is missing.
  for (const dir of [config.storage, config.plugins, dirname(config.log.path)]) mkdirSync(dir, { recursive: true });
  // Loaded on first use: requiring Verdaccio takes about half a second, which `depfence check` and
  // the other commands should not pay.
  const { runServer } = await import('verdaccio');
  // Uplinks fetch only from their own registry, follow no redirect elsewhere, and read metadata
  // within the timeout and size limit (see uplink-guard.ts).
  installUplinkGuard();
  // runServer clones the object; functions inside plugin sections survive by reference.
  const server = (await runServer(config as never)) as Server;
  const [listener] = server.listeners('request') as RequestListener[];
  if (!listener) throw new Error('depfence: the embedded Verdaccio did not provide a request handler; reinstall depfence');
  return { handle: listener, config };
}
