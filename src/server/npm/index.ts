// The npm registry at the origin's root. depfence serves public packages itself (public/: the
// package-level verdict, the packument judged version by version, verified tarballs from its store).
// Verdaccio 6.8.0 runs in a registry process of its own (registry/), reached only through its
// documented surfaces (its configuration, its plugin API: a filter and a front-door middleware, and
// HTTP), for the names reserved for internal packages (internal/), publishing, logins and search;
// depfence stands in front of it (verdicts, confusion routing, write rules, bad-input checks, the
// tarball guard) and behind it (its only uplink is depfence's uplink listener, uplink/), and judges
// every packument it reads.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../policy/index.js';
import type { Decider } from '../../sources/decide.js';
import type { Mount, ServerContext } from '../context.js';
import { sendError, sendJson } from '../respond.js';
import { HiddenVersionLog } from './audit.js';
import { BoundedMap } from './bounded-map.js';
import { routedInternally } from './confusion-routing.js';
import type { NpmEnv } from './env.js';
import { VerdictBook } from './filter/verdict-book.js';
import { PackageGate } from './gate.js';
import { servePackument } from './internal/packument-route.js';
import { parseNpmPath } from '../../protocol/npm/paths.js';
import { passThrough } from './pass-through.js';
import { RegistryClient, RegistryUnavailable, ResponseTooLarge } from './registry/forward.js';
import { RegistryProcess } from './registry/supervisor.js';
import { serveTarball } from './internal/tarball-route.js';
import { PublicPackuments } from './public/packuments.js';
import { servePublicPackument } from './public/packument-route.js';
import { servePublicTarball } from './public/tarball-route.js';
import type { TarballFailure } from './uplink/deps.js';
import { startUplinkListener, type UplinkListener } from './uplink/listener.js';
import { prepareTmpDir, TARBALL_LIMIT_BYTES } from './uplink/tarball.js';
import { buildVerdaccioConfig, verdaccioPaths } from './verdaccio-config.js';
import { handleWrite } from './writes.js';
import { checkQuery, flag, integer, text, weight, type QueryTable } from '../query.js';
import { serveDistTags, serveSearch } from './listings.js';
import { validateNpmName } from '../../names/index.js';
import { createArtifactStore } from '../../sources/artifacts.js';

/** Decisions are reused this long at most (and never longer than the metadata cache TTL). */
const DECISION_REUSE_MS = 60_000;
/** The query parameters npm's routes read (Verdaccio's search also honours `local`; `write` skips its cache). */
const SEARCH_QUERY: QueryTable = {
  text,
  size: integer(0, 250),
  from: integer(0, 10_000),
  quality: weight,
  popularity: weight,
  maintenance: weight,
  local: flag,
};
const OTHER_QUERY: QueryTable = { write: flag };
const DIST_TAGS = /^package\/((?:@[^/]+\/)?[^/@][^/]*)\/dist-tags$/;

export interface NpmMountOptions {
  /** Extra Verdaccio middleware plugins by id (tests inject faults with them). */
  middlewares?: Record<string, Record<string, unknown>>;
  /** The registry process to use (`depfence serve` keeps it, to start it once it listens). */
  registryProcess?: RegistryProcess;
}

export interface NpmMount extends Mount {
  env: NpmEnv;
  registryProcess: RegistryProcess;
  /** Where the uplink listener is (tests check that it answers nobody but the registry process). */
  uplinkBase: string;
  /** How many judgements the registry process asked depfence for. */
  judgements(): number;
}

/** The online npm registry; `serve --offline` answers from the offline store instead (server/mounts.ts). */
export async function npmMount(context: ServerContext, options: NpmMountOptions = {}): Promise<NpmMount> {
  const { config } = context;
  if (config.offline)
    throw new Error('the online npm mount was asked to serve offline; server/mounts.ts gives offline serving to the offline npm mount');
  const paths = verdaccioPaths(config.server.dataDir);
  const book = new VerdictBook();
  const tarballFailures = new BoundedMap<string, TarballFailure>(1_000);
  const packumentFailures = new BoundedMap<string, string>(1_000);
  // Started by `depfence serve` once it listens (so Verdaccio's load does not take CPU from the
  // firewall's own start), else by the first request that needs it; public packages never do.
  const registryProcess = options.registryProcess ?? new RegistryProcess();
  const frontSecret = randomBytes(32).toString('base64url');
  let uplink: UplinkListener | undefined;
  let decider: Decider;
  try {
    uplink = await startUplinkListener({
      config,
      get decider() {
        return context.decider;
      },
      book,
      enforce: config.mode === 'enforce',
      now: context.now,
      tmpDir: prepareTmpDir(paths.tmp),
      failures: tarballFailures,
      packumentFailures,
      unreadable: new BoundedMap(1_000),
    });
    const verdaccio = buildVerdaccioConfig({
      paths,
      uplinks: {
        public: uplink.addresses.uplinkUrl('public'),
        internal: config.upstreams.npm.internal === null ? null : uplink.addresses.uplinkUrl('internal'),
        proxy: uplink.addresses.listener,
        secret: uplink.secret,
      },
      confusion: config.policy.confusion.npm,
      network: config.network,
      ...(options.middlewares && { middlewares: options.middlewares }),
    });
    registryProcess.configure({ type: 'start', verdaccio, judgeUrl: uplink.addresses.judgeUrl, uplinkSecret: uplink.secret, frontSecret });
    decider = context.decider;
  } catch (error) {
    registryProcess.abandon(error as Error);
    await registryProcess.close();
    await uplink?.close();
    throw error;
  }
  const registry = new RegistryClient(registryProcess, frontSecret, config.server.token, () => decider.threatData.generation);
  const env: NpmEnv = {
    context,
    registry,
    publicPackuments: new PublicPackuments({ config, decider: () => context.decider, book, now: context.now }),
    tarballs: createArtifactStore({
      cacheDir: join(config.server.dataDir, 'cache', 'npm-tarballs'),
      timeoutMs: config.network.timeout,
      retries: config.network.retries,
      concurrency: config.network.concurrency,
      maxUnknownSizeBytes: TARBALL_LIMIT_BYTES,
    }),
    gate: new PackageGate({ decider, now: context.now, reuseMs: Math.min(DECISION_REUSE_MS, config.network.cacheTtl) }),
    book,
    hiddenLog: new HiddenVersionLog(),
    tarballFailures,
    packumentFailures,
    limits: { packumentBytes: Math.max(config.network.maxResponseBytes * 2, 64 * 1024 * 1024) },
    knownUpstream: (decision: Decision) =>
      decider.internalRule('npm', decision.name) === null && !decision.findings.some((finding) => finding.check === 'exists'),
  };
  return {
    prefix: '/',
    handler: (req, res) => handleNpmRequest(env, req, res),
    env,
    registryProcess,
    uplinkBase: uplink.addresses.listener,
    judgements: () => uplink.judgements,
    async close() {
      await registryProcess.close();
      registry.close();
      await uplink.close();
    },
  };
}

export async function handleNpmRequest(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(env, req, res);
  } catch (error) {
    if (error instanceof RegistryUnavailable) return sendError(res, 503, error.message);
    if (error instanceof ResponseTooLarge)
      return sendError(res, 502, `the answer for ${req.url} is larger than depfence will hold for checking (${error.message})`);
    throw error;
  }
}

async function route(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawPathAndQuery = req.url ?? '/';
  const queryAt = rawPathAndQuery.indexOf('?');
  const rawPath = queryAt === -1 ? rawPathAndQuery : rawPathAndQuery.slice(0, queryAt);
  const path = parseNpmPath(rawPath);
  if (path.kind === 'bad') return sendError(res, 400, path.message);
  const query = checkQuery(
    path.kind === 'endpoint' && path.rest === 'v1/search' ? SEARCH_QUERY : OTHER_QUERY,
    queryAt === -1 ? '' : rawPathAndQuery.slice(queryAt + 1),
  );
  if (!query.ok) return sendError(res, 400, query.message);
  // From here on, Verdaccio sees only the validated query.
  req.url = `${rawPath}${query.query}`;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return handleWrite(env, req, res, path);

  const distTags = path.kind === 'endpoint' ? DIST_TAGS.exec(path.rest) : null;
  const packageName = path.kind === 'packument' || path.kind === 'version' || path.kind === 'tarball' ? path.name : distTags?.[1];
  if (packageName !== undefined) {
    const problem = path.kind === 'endpoint' ? validateNpmName(packageName) : null;
    if (problem) return sendError(res, 400, `"${packageName}" is not a valid npm package name: ${problem}`);
    if (env.context.decider.internalRule('npm', packageName) !== null && !routedInternally(packageName)) {
      return sendError(
        res,
        403,
        `${packageName} matches a name reserved for internal packages (policy.confusion.npm), but only lowercase names are served as internal packages; use the lowercase name`,
      );
    }
  }
  // Public packages are served by depfence itself; the registry process serves the reserved names.
  const internal = packageName !== undefined && env.context.decider.internalRule('npm', packageName) !== null;
  const serveDocument = internal ? servePackument : servePublicPackument;
  switch (path.kind) {
    case 'packument':
      return serveDocument(env, req, res, path.name, null);
    case 'version':
      return serveDocument(env, req, res, path.name, path.version);
    case 'tarball':
      return (internal ? serveTarball : servePublicTarball)(env, req, res, path.name, path.filename);
    case 'endpoint':
      if (distTags) return serveDistTags(env, req, res, distTags[1]!);
      if (path.rest === 'all' || path.rest.startsWith('all/')) {
        return sendError(
          res,
          404,
          '/-/all (the whole-registry listing) is not served: it would list versions the policy hides; search with /-/v1/search (npm search)',
        );
      }
      // npm ping: the registry answers; public installs never wait for the registry process.
      if (path.rest === 'ping') return sendJson(res, 200, {});
      if (path.rest === 'v1/search') {
        keepSearchLocal(env, req);
        return serveSearch(env, req, res);
      }
      return passThrough(env, req, res);
    case 'root':
      return passThrough(env, req, res);
    case 'package-other':
      return sendError(res, 404, `nothing is served at ${rawPath}`);
  }
}

/**
 * Verdaccio passes search queries on to every uplink. A query that mentions a reserved internal
 * name, in any case and spelling of its punctuation, is answered from depfence's own storage only
 * (`local`), so the public registry never sees it.
 */
function keepSearchLocal(env: NpmEnv, req: IncomingMessage): void {
  const url = new URL(req.url ?? '/', 'http://depfence.invalid');
  const text = letters(url.searchParams.get('text') ?? '');
  const { scopes, names, prefixes } = env.context.config.policy.confusion.npm;
  const reserved = [...scopes, ...names, ...prefixes].map(letters).filter((term) => term !== '');
  if (reserved.some((term) => text.includes(term))) {
    url.searchParams.set('local', '1');
    req.url = `${url.pathname}${url.search}`;
  }
}

/** Only the letters and digits, lowercased: `@MyCorp/`, `my_corp-` and `mycorp` all read `mycorp`. */
function letters(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}
