// Registry endpoints that describe packages without being their packument: `/-/package/NAME/dist-tags`
// and search results. Verdaccio answers them from unfiltered metadata (a too-young `latest`, a
// denied package), so depfence answers them from the same filtered packument an install sees:
// a denied package has no dist-tags and no search result, and the versions shown are the ones
// that survived the version filter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import pLimit from 'p-limit';
import { validateNpmName } from '../../names/index.js';
import { sendError, sendJson, sendUnavailable } from '../respond.js';
import type { NpmEnv } from './env.js';
import { passableHeaders, readAnswer } from './registry/forward.js';
import { refuseForVerdict } from './refusals.js';
import { ABBREVIATED_MEDIA_TYPE } from '../../protocol/npm/abbreviated.js';

/** Search results are checked a few at a time (each may fetch a packument upstream). */
const SEARCH_CONCURRENCY = 4;

type DistTags = Record<string, string>;

/** The dist-tags of `name` after the policy and the version filter; null when the package is refused or unavailable. */
async function filteredDistTags(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string): Promise<DistTags | null> {
  const verdict = await env.gate.verdict(name);
  const enforce = env.context.config.mode === 'enforce';
  if (verdict.action !== 'pass' && enforce) return null;
  if (env.context.decider.internalRule('npm', name) === null) {
    const judged = await env.publicPackuments.judge(name);
    if (judged.kind !== 'found' || (judged.record.failure && enforce)) return null;
    return judged.packument['dist-tags'];
  }
  const answer = await env.registry.ask(
    {
      method: 'GET',
      path: `/${name.replace('/', '%2f')}`,
      headers: { accept: ABBREVIATED_MEDIA_TYPE, 'accept-encoding': 'identity', ...(req.headers.host && { host: req.headers.host }) },
    },
    res,
  );
  const body = await readAnswer(answer, env.limits.packumentBytes);
  const record = env.book.get(name);
  if (answer.statusCode !== 200 || (record?.failure && enforce)) return null;
  try {
    const tags = (JSON.parse(body.toString('utf8')) as { 'dist-tags'?: unknown })['dist-tags'];
    if (typeof tags !== 'object' || tags === null) return {};
    // Verdaccio refills a `latest` the filter removed (see internal/packument-route.ts).
    return Object.fromEntries(
      Object.entries(tags).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string' && !(entry[0] === 'latest' && record?.latestRemoved),
      ),
    );
  } catch {
    return null;
  }
}

/** `GET /-/package/NAME/dist-tags`: the tags npm would see in the packument. */
export async function serveDistTags(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const verdict = await env.gate.verdict(name);
  if (refuseForVerdict(env, res, verdict)) return;
  const tags = await filteredDistTags(env, req, res, name);
  if (tags === null)
    return sendUnavailable(res, `the dist-tags of ${name} could not be read from the upstream registry just now; try again shortly`);
  sendJson(res, 200, tags);
}

interface SearchObject {
  package?: { name?: unknown; version?: unknown; date?: unknown };
}

/** `GET /-/v1/search`: Verdaccio's answer, each result shown at its filtered `latest`, refused packages left out. */
export async function serveSearch(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = { ...req.headers, 'accept-encoding': 'identity' };
  delete headers['if-none-match'];
  const answer = await env.registry.ask({ method: 'GET', path: req.url ?? '/', headers }, res);
  const raw = await readAnswer(answer, env.limits.packumentBytes);
  if (answer.statusCode !== 200) {
    res.writeHead(answer.statusCode ?? 502, passableHeaders(answer.headers));
    return void res.end(req.method === 'HEAD' ? undefined : raw);
  }
  let body: { objects?: unknown; total?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch {
    return sendError(res, 502, 'the registry proxy answered the search with something that is not JSON');
  }
  const objects = Array.isArray(body.objects) ? (body.objects as SearchObject[]) : [];
  const limit = pLimit(SEARCH_CONCURRENCY);
  const checked = await Promise.all(objects.map((object) => limit(() => filteredResult(env, req, res, object))));
  const kept = checked.filter((object): object is SearchObject => object !== null);
  const total = typeof body.total === 'number' ? Math.max(kept.length, body.total - (objects.length - kept.length)) : kept.length;
  sendJson(res, 200, { ...body, objects: kept, total });
}

async function filteredResult(env: NpmEnv, req: IncomingMessage, res: ServerResponse, object: SearchObject): Promise<SearchObject | null> {
  const name = object.package?.name;
  if (typeof name !== 'string' || validateNpmName(name) !== null) return null;
  const tags = await filteredDistTags(env, req, res, name);
  const latest = tags?.latest;
  if (latest === undefined) return null;
  if (object.package!.version === latest) return object;
  const { date: _hiddenVersionDate, ...rest } = object.package!;
  return { ...object, package: { ...rest, version: latest } };
}
