// depfence's uplink listener: the only "registry" the registry process's Verdaccio knows (as the
// proxy of its uplinks, see addresses.ts). It listens on a loopback port of its own (not the
// firewall's port, so no client reaches it through the firewall) and answers only requests that
// carry the per-process secret Verdaccio was given, from a loopback address. It is no open proxy:
// it builds every upstream URL itself from a package name it has validated and the configured
// registry, and answers only:
//   GET  <base>/public/<name>, <base>/internal/<name>  packuments (packument.ts)
//   GET  <base>/public/<name>/-/<file>, …/internal/…   verified tarballs (tarball.ts)
//   GET  <base>/public/-/v1/search?…                   search, rebuilt from the known parameters
//   POST /judge                                        the version filter's verdicts (judge.ts)
// Everything goes through depfence's guarded HTTP client (sources/http.ts, sources/download.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchNpmPackument, NPM_REGISTRY } from '../../../sources/npm-metadata.js';
import { isLoopbackHost, sameSecret } from '../../access.js';
import { sendError, sendJson } from '../../respond.js';
import { parseNpmPath } from '../../../protocol/npm/paths.js';
import { UplinkAddresses, type UplinkSource } from './addresses.js';
import type { UplinkDeps } from './deps.js';
import { judge } from './judge.js';
import { pointTarballsAtUplink, sendDocument, sendUpstreamFailure } from './packument.js';
import { serveTarballToUplink } from './tarball.js';

export interface UplinkListener {
  addresses: UplinkAddresses;
  secret: string;
  /** How many judgements the registry process asked for (tests see its reuse by it). */
  readonly judgements: number;
  close(): Promise<void>;
}

const SEARCH_PARAMS = ['text', 'size', 'from', 'quality', 'popularity', 'maintenance'];
const SEARCH_TTL_MS = 60_000;

export async function startUplinkListener(deps: UplinkDeps): Promise<UplinkListener> {
  const secret = randomBytes(32).toString('base64url');
  let addresses: UplinkAddresses | null = null;
  let judgements = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/judge') res.once('finish', () => res.statusCode === 200 && judgements++);
    handle(deps, addresses!, secret, req, res).catch((error: unknown) =>
      sendError(res, 500, `the uplink listener failed: ${(error as Error).message}`),
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  addresses = new UplinkAddresses(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    addresses,
    secret,
    get judgements() {
      return judgements;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  deps: UplinkDeps,
  addresses: UplinkAddresses,
  secret: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!isLoopbackHost(req.socket.remoteAddress ?? '') || !authorised(req.headers.authorization, secret)) {
    return sendError(res, 403, "this is depfence's uplink for its own registry process; it answers nothing else");
  }
  const raw = req.url ?? '/';
  if (req.method === 'POST' && raw === '/judge') return judge(deps, addresses, req, res);
  if (req.method !== 'GET') return sendError(res, 405, `${req.method} is not answered here`);
  // Verdaccio asks through its uplink proxy setting: the request line names the full uplink URL.
  if (!raw.startsWith(`${addresses.base}/`)) return sendError(res, 404, `nothing is served at ${raw}`);
  const pathAndQuery = raw.slice(addresses.base.length);
  const url = new URL(pathAndQuery, addresses.base);
  const source = /^\/(public|internal)(\/.*)$/.exec(pathAndQuery.split('?', 1)[0]!);
  if (!source) return sendError(res, 404, `nothing is served at ${url.pathname}`);
  const which = source[1] as UplinkSource;
  const registry = which === 'public' ? deps.config.upstreams.npm.registry : deps.config.upstreams.npm.internal;
  if (registry === null) return sendError(res, 404, 'no internal registry is configured (upstreams.npm.internal)');
  const path = parseNpmPath(source[2]!);
  switch (path.kind) {
    case 'packument': {
      // Reserved names never go to the public registry, whoever asks.
      if (which === 'public' && deps.decider.internalRule('npm', path.name) !== null)
        return sendError(res, 404, `${path.name} is reserved for internal packages`);
      try {
        const answer = await fetchNpmPackument(deps.decider.http, registry, path.name);
        deps.packumentFailures.delete(path.name);
        if (!answer.found) return sendError(res, 404, `${path.name} is not on ${registry}`);
        if (Object.keys(answer.unreadableVersions).length > 0) deps.unreadable.set(path.name, answer.unreadableVersions);
        else deps.unreadable.delete(path.name);
        return sendDocument(req, res, pointTarballsAtUplink(answer.packument, registry, which, addresses));
      } catch (error) {
        deps.packumentFailures.set(path.name, (error as Error).message.replace(/^depfence: /, ''));
        return sendUpstreamFailure(res, error);
      }
    }
    case 'tarball':
      if (which === 'public' && deps.decider.internalRule('npm', path.name) !== null)
        return sendError(res, 404, `${path.name} is reserved for internal packages`);
      return serveTarballToUplink(deps, res, registry, path.name, path.filename);
    case 'endpoint':
      if (path.rest === 'v1/search') return search(deps, req, res, registry, url);
      return sendError(res, 404, `/-/${path.rest} is not answered here`);
    case 'bad':
      return sendError(res, 400, path.message);
    default:
      return sendError(res, 404, `nothing is served at ${url.pathname}`);
  }
}

function authorised(header: string | undefined, secret: string): boolean {
  const match = /^Bearer (\S+)$/i.exec(header ?? '');
  return match !== null && sameSecret(match[1]!, secret);
}

/** A search, asked of the registry with only the parameters npm's search API has, one value each. */
async function search(deps: UplinkDeps, req: IncomingMessage, res: ServerResponse, registry: string, url: URL): Promise<void> {
  const query = new URLSearchParams();
  for (const name of SEARCH_PARAMS) {
    const value = url.searchParams.get(name);
    if (value !== null) query.set(name, value);
  }
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  try {
    const answer = await deps.decider.http.getJson(`${base}-/v1/search?${query.toString()}`, {
      ttlMs: SEARCH_TTL_MS,
      upstream: NPM_REGISTRY,
      validate: (body) => {
        if (typeof body !== 'object' || body === null || !Array.isArray((body as { objects?: unknown }).objects))
          throw new Error('a search answer without "objects"');
        return body;
      },
    });
    return sendJson(res, 200, answer.body ?? { objects: [], total: 0, time: new Date().toUTCString() });
  } catch (error) {
    return sendUpstreamFailure(res, error);
  }
}
