// `depfence serve`: start the firewall, announce it (stdout line and server.json), load a new
// threat-data index on SIGHUP, and stop cleanly on SIGINT/SIGTERM: stop accepting, finish
// in-flight requests, exit 0.
import type { Config } from '../config/index.js';
import { startServer } from '../server/app.js';
import type { ServerContext } from '../server/context.js';
import { RegistryProcess } from '../server/npm/registry/supervisor.js';
import { ecosystemMounts } from '../server/mounts.js';
import { removeServerFile, writeServerFile } from '../server/server-file.js';
import { threatDataFor } from './threat-data.js';

/**
 * `fixedPort`: the port was given on the command line, so a taken one is an error; otherwise a
 * taken port (another user's or another job's firewall on 4874) gives way to a free one, which
 * server.json records for the shims. The npm registry process is started once the firewall
 * listens: public packages never need it, and Verdaccio's load would take CPU from the firewall's
 * own start.
 */
export async function runServe(config: Config, out: (text: string) => void, options: { fixedPort?: boolean } = {}): Promise<void> {
  // Owned by the npm mount, which ends it when the server closes.
  const registryProcess = config.offline ? undefined : new RegistryProcess();
  const mounts = (context: ServerContext) => ecosystemMounts(context, registryProcess ? { registryProcess } : {});
  const running = await startServer({ config, mounts, threatData: threatDataFor(config), freePortIfTaken: !options.fixedPort });
  keepServingAfterStrayErrors();
  const { dataDir } = config.server;
  writeServerFile(dataDir, { url: running.url, pid: process.pid });
  if (new URL(running.url).port !== String(config.server.port) && config.server.port !== 0) {
    out(
      `depfence: port ${config.server.port} is in use by another process, so this firewall listens on ${running.url} (recorded in ${dataDir}/server.json for the shims)`,
    );
  }
  out(`depfence listening on ${running.url}`);

  const reload = () => void running.context.threatRefresh.reload('SIGHUP');
  process.on('SIGHUP', reload);
  const failure = await new Promise<Error | null>((resolve) => {
    const stop = (error: Error | null) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', reload);
      const done = () => resolve(error);
      running.close().then(done, done);
    };
    const onSignal = () => stop(null);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // The npm registry process starts now that the firewall listens; if it cannot start at all,
    // the firewall stops with the reason rather than run without it.
    registryProcess?.launch().catch((error: unknown) => stop(error as Error));
  });
  removeServerFile(dataDir, process.pid);
  if (failure) throw failure;
}

/**
 * An error that escapes one request's handling (Verdaccio's async routes do not all catch their
 * own) is written to the log; it never ends the firewall, which every shim depends on.
 */
function keepServingAfterStrayErrors(): void {
  const log = (error: unknown) =>
    process.stderr.write(
      `depfence: internal error while serving a request (the firewall keeps running): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.on('unhandledRejection', log);
  process.on('uncaughtException', log);
}
