// The npm registry at the origin's root: Verdaccio 6.8.0 embedded, with depfence in front of it
// (package-level verdicts, confusion routing, write refusals, bad-input checks, the tarball guard)
// and inside it (the version filter, through the generated plugin bridge).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../policy/index.js';
import type { Mount, ServerContext } from '../app.js';
import { sendError } from '../respond.js';
import { HiddenVersionLog } from './audit.js';
import { routedInternally } from './confusion-routing.js';
import type { NpmEnv } from './env.js';
import { VerdictBook } from './filter/verdict-book.js';
import { createVersionFilter } from './filter/version-filter.js';
import { tarballUrlProblem } from './filter/tarball-host.js';
import { PackageGate } from './gate.js';
import { servePackument } from './packument-route.js';
import { parseNpmPath } from './paths.js';
import { BRIDGE_KEY, FILTER_PLUGIN_ID, writeFilterBridge } from './plugin-bridge.js';
import { TarballStore } from './tarball-store.js';
import { serveTarball } from './tarball-route.js';
import { buildVerdaccioConfig, verdaccioPaths } from './verdaccio-config.js';
import { startVerdaccio } from './verdaccio.js';
import { handleWrite } from './writes.js';
import { checkQuery, flag, integer, text, weight, type QueryTable } from '../query.js';
import { serveDistTags, serveSearch } from './listings.js';
import { validateNpmName } from '../../names/index.js';
import { isClientGone } from './exchange.js';
import { ResponseTooLarge } from './capture.js';

/** Decisions are reused this long at most (and never longer than the metadata cache TTL). */
const DECISION_REUSE_MS = 60_000;
/** Tarballs are held in memory while they are checked; bigger ones are refused. */
const TARBALL_LIMIT_BYTES = 256 * 1024 * 1024;
/** The query parameters npm's routes read (Verdaccio's search also honours `local`; `write` skips its cache). */
const SEARCH_QUERY: QueryTable = { text, size: integer(0, 250), from: integer(0, 10_000), quality: weight, popularity: weight, maintenance: weight, local: flag };
const OTHER_QUERY: QueryTable = { write: flag };
const DIST_TAGS = /^package\/((?:@[^/]+\/)?[^/@][^/]*)\/dist-tags$/;

export async function npmMount(context: ServerContext): Promise<Mount> {
  const env = await createNpmEnv(context);
  return { prefix: '/', handler: (req, res) => handleNpmRequest(env, req, res) };
}

export async function createNpmEnv(context: ServerContext): Promise<NpmEnv> {
  const { config, decider } = context;
  const paths = verdaccioPaths(config.server.dataDir);
  const book = new VerdictBook();
  let filterLoaded = false;
  const filterFactory = () => {
    filterLoaded = true;
    return createVersionFilter({
      context: decider.context,
      now: context.now,
      enforce: config.mode === 'enforce',
      book,
      warn: (message) => process.stderr.write(`depfence: warning: ${message}\n`),
      tarballProblem: (name, url) => {
        const internal = config.upstreams.npm.internal !== null && decider.internalRule('npm', name) !== null;
        return internal ? tarballUrlProblem(url, config.upstreams.npm.internal!, 'upstreams.npm.internal') : tarballUrlProblem(url, config.upstreams.npm.registry, 'upstreams.npm.registry');
      },
    });
  };
  writeFilterBridge(paths.plugins);
  const verdaccio = await startVerdaccio(
    buildVerdaccioConfig({
      paths,
      registry: config.upstreams.npm.registry,
      internal: config.upstreams.npm.internal,
      confusion: config.policy.confusion.npm,
      network: config.network,
      offline: config.offline,
      filters: { [FILTER_PLUGIN_ID]: { [BRIDGE_KEY]: filterFactory } },
    }),
  );
  // Verdaccio skips a filter that fails to load and then serves everything unfiltered.
  if (!filterLoaded) throw new Error(`depfence: Verdaccio did not load depfence's version filter from ${paths.plugins}; refusing to serve npm unfiltered (see ${paths.root}/verdaccio.log)`);
  return {
    context,
    verdaccio,
    gate: new PackageGate({ decider, now: context.now, reuseMs: Math.min(DECISION_REUSE_MS, config.network.cacheTtl) }),
    book,
    hiddenLog: new HiddenVersionLog(),
    store: new TarballStore(paths.storage),
    limits: { packumentBytes: Math.max(config.network.maxResponseBytes * 2, 64 * 1024 * 1024), tarballBytes: TARBALL_LIMIT_BYTES },
    knownUpstream: (decision: Decision) =>
      !config.offline && decider.internalRule('npm', decision.name) === null && !decision.findings.some((finding) => finding.check === 'exists'),
  };
}

export async function handleNpmRequest(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    await route(env, req, res);
  } catch (error) {
    if (isClientGone(error)) return;
    if (error instanceof ResponseTooLarge) return sendError(res, 502, `the upstream answer for ${req.url} is larger than depfence will hold for checking (${error.message})`);
    throw error;
  }
}

async function route(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawPathAndQuery = req.url ?? '/';
  const queryAt = rawPathAndQuery.indexOf('?');
  const rawPath = queryAt === -1 ? rawPathAndQuery : rawPathAndQuery.slice(0, queryAt);
  const path = parseNpmPath(rawPath);
  if (path.kind === 'bad') return sendError(res, 400, path.message);
  const query = checkQuery(path.kind === 'endpoint' && path.rest === 'v1/search' ? SEARCH_QUERY : OTHER_QUERY, queryAt === -1 ? '' : rawPathAndQuery.slice(queryAt + 1));
  if (!query.ok) return sendError(res, 400, query.message);
  // From here on, Verdaccio sees only the validated query.
  req.url = `${rawPath}${query.query}`;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return handleWrite(env, req, res, path, req.url);

  const distTags = path.kind === 'endpoint' ? DIST_TAGS.exec(path.rest) : null;
  const packageName = path.kind === 'packument' || path.kind === 'version' || path.kind === 'tarball' ? path.name : distTags?.[1];
  if (packageName !== undefined) {
    const problem = path.kind === 'endpoint' ? validateNpmName(packageName) : null;
    if (problem) return sendError(res, 400, `"${packageName}" is not a valid npm package name: ${problem}`);
    const { decider, config } = env.context;
    if (decider.internalRule('npm', packageName) !== null && config.upstreams.npm.internal !== null && !routedInternally(packageName)) {
      return sendError(res, 403, `${packageName} matches a name reserved for internal packages (policy.confusion.npm), but only lowercase names are routed to the internal registry; use the lowercase name`);
    }
  }
  switch (path.kind) {
    case 'packument':
      return servePackument(env, req, res, path.name, null);
    case 'version':
      return servePackument(env, req, res, path.name, path.version);
    case 'tarball':
      return serveTarball(env, req, res, path.name, path.filename);
    case 'endpoint':
      if (distTags) return serveDistTags(env, req, res, distTags[1]!);
      if (path.rest === 'all' || path.rest.startsWith('all/')) {
        return sendError(res, 404, '/-/all (the whole-registry listing) is not served: it would list versions the policy hides; search with /-/v1/search (npm search)');
      }
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

/** Registry endpoints with nothing to judge (ping, whoami, search): Verdaccio answers directly. */
function passThrough(env: NpmEnv, req: IncomingMessage, res: ServerResponse): void {
  env.verdaccio.handle(req, res);
}
