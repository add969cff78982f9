// `depfence serve`: one HTTP listener for both ecosystems. The PyPI simple index lives under
// /-/pypi/, depfence's own endpoints under /-/depfence/, and the npm registry API at the root
// (npm keeps only the path of lockfile URLs, so it must own the origin's root).
import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Config } from '../config/index.js';
import { createDecider, type Decider } from '../sources/decide.js';
import type { ThreatData } from '../sources/osv/threat-data.js';
import type { Mount, ServerContext } from './context.js';
import { assertSafeBinding, requestAllowed } from './access.js';
import { AuditLog } from './audit.js';
import { handleAdmin } from './admin.js';
import { sendError } from './respond.js';
import { ThreatDataRefresher } from './threat-refresh.js';
import { RefusalLedger, refusalMark } from './refusal-ledger.js';
import { clientFromUserAgent } from './audit.js';

export interface RunningServer {
  url: string;
  server: Server;
  context: ServerContext;
  /** Stop accepting, let in-flight requests finish (those whose client has gone too), stop the mounts, and resolve once nothing more is written to the data dir. */
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  /** Mounts for the ecosystems, tried in order after /-/depfence/. */
  mounts: (context: ServerContext) => Promise<Mount[]> | Mount[];
  now?: () => Date;
  /** Decide with this threat-data holder (default: the data dir's index). */
  threatData?: ThreatData;
  /** false: no interval checks or automatic updates (a private firewall, such as mirror's). Default true. */
  refreshThreatData?: boolean;
  /** When the configured port is taken (by another user's firewall, say), listen on a free one instead. */
  freePortIfTaken?: boolean;
}

/** The address could not be listened on: a failure a user can fix, not a crash. */
export class ListenError extends DepfenceError<'ELISTEN'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('ELISTEN', message, options);
  }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config } = options;
  assertSafeBinding(config);
  // The decider (policy data: snapshots, blocklists, the typosquat indexes) takes a while to load;
  // it is built on first use, so a mount can start slow work of its own (the npm registry process)
  // before it asks for the decider and the two load in parallel. It is built whole before the
  // server listens, so no request is decided before the data is there.
  let decider: Decider | null = null;
  const loadDecider = () =>
    (decider ??= createDecider(config, { warm: true, ...(options.threatData && { threatData: options.threatData }) }));
  let threatRefresh: ThreatDataRefresher | null = null;
  const context: ServerContext = {
    config,
    get decider() {
      return loadDecider();
    },
    get threatRefresh() {
      threatRefresh ??= new ThreatDataRefresher(config, context.decider.threatData, (message) =>
        process.stderr.write(`depfence: ${message}\n`),
      );
      return threatRefresh;
    },
    audit: AuditLog.inDataDir(config.server.dataDir, config.server.audit),
    refusals: new RefusalLedger(),
    now: options.now ?? (() => new Date()),
  };
  const mounts: Mount[] = [
    { prefix: '/-/depfence/', handler: (req, res, url) => handleAdmin(context, req, res, url) },
    ...(await options.mounts(context)),
  ];
  try {
    // Loaded before the first request, whichever mounts asked for it (a broken list fails the start).
    loadDecider();
  } catch (error) {
    await closeMounts(mounts);
    throw error;
  }
  let closing = false;
  /** Requests still being handled, including those whose client has gone: shutdown waits for their work. */
  const handling = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    // Once shutdown has begun, a kept-alive connection is closed as soon as its answer is sent,
    // so in-flight requests finish and nothing waits for the keep-alive timeout.
    if (closing) res.setHeader('connection', 'close');
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
      const refusal = refusalMark(res);
      if (refusal)
        context.refusals.record({
          time: context.now().toISOString(),
          client: clientFromUserAgent(req.headers['user-agent']),
          path: req.url ?? '',
          ...refusal,
        });
    });
    const handled = dispatch(config, mounts, req, res)
      .catch((error: unknown) => {
        sendError(res, 500, `internal error while serving ${req.method} ${req.url}: ${(error as Error).message}`);
      })
      .finally(() => handling.delete(handled));
    handling.add(handled);
  });
  // CONNECT asks for a proxy tunnel, which this firewall never opens; without a listener Node
  // drops the connection unanswered, so say no the way every other refusal does.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const body = JSON.stringify({
      error: 'depfence: CONNECT is not served: depfence is a registry, not a proxy; point your client at it as its index or registry',
    });
    socket.on('error', () => {});
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  try {
    await listen(server, config.server.host, config.server.port, options.freePortIfTaken ?? false);
  } catch (error) {
    await closeMounts(mounts);
    throw error;
  }
  if (options.refreshThreatData !== false) context.threatRefresh.start();
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return {
    url: `http://${host}:${port}`,
    server,
    context,
    async close() {
      closing = true;
      const refreshStopped = context.threatRefresh.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      while (handling.size > 0) await Promise.allSettled([...handling]);
      await closeMounts(mounts);
      await refreshStopped;
      // The last answers' cache writes end before the caller may move or remove the data dir.
      await loadDecider().http.settled();
    },
  };
}

/** Stops what every mount runs; one that fails to stop does not keep the others running. */
function closeMounts(mounts: Mount[]): Promise<unknown> {
  return Promise.allSettled(mounts.map((mount) => mount.close?.() ?? Promise.resolve()));
}

/** Listens on host:port; a taken port becomes a free one when allowed, any other failure a ListenError. */
async function listen(server: Server, host: string, port: number, freePortIfTaken: boolean): Promise<void> {
  const attempt = (on: number) =>
    new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      server.once('error', failed);
      server.listen(on, host, () => {
        server.off('error', failed);
        resolve();
      });
    });
  try {
    await attempt(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && freePortIfTaken && port !== 0) return attempt(0);
    const where = `${host}:${port}`;
    if (code === 'EADDRINUSE')
      throw new ListenError(
        `${where} is already in use by another process; stop it, or choose another port (--port, server.port; 0 picks a free one)`,
      );
    if (code === 'EACCES')
      throw new ListenError(
        `listening on ${where} is not permitted (ports below 1024 need privileges); choose another port (--port, server.port)`,
      );
    if (code === 'EADDRNOTAVAIL')
      throw new ListenError(`${host} is not an address of this machine, so depfence cannot listen on it; check --host / server.host`);
    throw new ListenError(`cannot listen on ${where}: ${(error as Error).message}`);
  }
}

async function dispatch(config: Config, mounts: Mount[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = parseRequestUrl(req.url);
  if (!url) return sendError(res, 400, 'the request path is not a valid URL path');
  if (!requestAllowed(config, req, url.pathname)) {
    res.setHeader('www-authenticate', 'Basic realm="depfence"');
    return sendError(
      res,
      401,
      'this firewall needs its access token: npm: set //HOST:PORT/:_authToken; pip/uv: put it in the index URL as http://depfence:TOKEN@HOST:PORT/-/pypi/simple/; Hugging Face clients: set HF_TOKEN to it (huggingface_hub, transformers) or pass it as accessToken (@huggingface/hub)',
    );
  }
  const mount = mounts.find((candidate) => url.pathname.startsWith(candidate.prefix));
  if (!mount) return sendError(res, 404, `nothing is served at ${url.pathname}`);
  await mount.handler(req, res, url);
}

function parseRequestUrl(raw: string | undefined): URL | null {
  if (!raw?.startsWith('/')) return null;
  try {
    return new URL(raw, 'http://depfence.invalid');
  } catch {
    return null;
  }
}
