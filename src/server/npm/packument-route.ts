// Packuments (`/name`) and version manifests (`/name/1.2.3`, `/name/latest`): the package-level
// verdict (the registry process is asked meanwhile; its answer is used only if the verdict lets the
// package through), the registry process's answer (its version filter hides versions), then
// depfence's finishing: no `latest` where none survived, an ETag per representation (full and abbreviated are
// different documents) with `Vary: Accept`, conditional requests, the hidden versions logged, and
// Verdaccio's "not found" turned into a refusal for unavailable facts (403, which npm does not
// retry) when the package exists and only the upstream failed. Tarball URLs name the upstream's
// origin (tarball-origin.ts), so lockfiles are portable.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { NpmEnv } from './env.js';
import { verdaccioError, wantsAbbreviated } from './verdaccio-answer.js';
import { matchesEtag } from '../conditional.js';
import { hiddenVersionMessage } from './messages.js';
import { recordDecision } from './audit.js';
import { refuseForVerdict } from './refusals.js';
import { sendError, sendUnavailable } from '../respond.js';
import { npmSwapsByDefault, onUpstreamOrigin } from './tarball-origin.js';
import { passableHeaders, readAnswer } from './registry/forward.js';

export async function servePackument(
  env: NpmEnv,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  version: string | null,
): Promise<void> {
  const subject = version === null ? 'packument' : 'version manifest';
  const abbreviated = version === null && wantsAbbreviated(req.headers.accept);
  // The whole document, uncompressed, every time: depfence answers conditional requests itself.
  const headers = { ...req.headers };
  for (const header of ['if-none-match', 'if-modified-since', 'accept-encoding']) delete headers[header];
  // The registry process is asked while the package-level verdict is made: both need the same
  // upstream packument (fetched once, see sources/http.ts), and npm asks for packuments one after
  // another, so the two waits add up on every install. Nothing is answered before the verdict.
  const asked = env.registry.ask({ method: 'GET', path: req.url ?? '/', headers }, res);
  asked.catch(() => {}); // awaited below, unless the verdict refuses
  const verdict = await env.gate.verdict(name);
  recordDecision(env.context, req, verdict.decision, subject);
  if (refuseForVerdict(env, res, verdict)) {
    asked.then(
      (answer) => answer.destroy(),
      () => {},
    );
    return;
  }
  const answer = await asked;
  const body = await readAnswer(answer, env.limits.packumentBytes);
  const status = answer.statusCode ?? 502;
  const record = env.book.get(name);
  if (record) env.hiddenLog.record(env.context, req, record, subject);

  // The filter failed and hid every version: say why, rather than serve an empty packument that
  // npm would report as "no matching version".
  if (status === 200 && record?.failure && env.context.config.mode === 'enforce') return sendUnavailable(res, `${name}: ${record.failure}`);
  if (status === 200) {
    if (record?.latestRemoved && version === 'latest')
      return sendError(
        res,
        404,
        `${name} has no stable version at or below its latest that depfence serves, so it has no "latest"; ask for a version or range`,
      );
    const filtered = record?.latestRemoved && version === null ? withoutLatest(body) : body;
    const registry = lockfileRegistry(env, name);
    const document = registry === null ? filtered : onUpstreamOrigin(filtered, registry);
    const etag = representationEtag(answer.headers.etag, abbreviated ? 'abbreviated' : 'full', document);
    const finished: OutgoingHttpHeaders = {
      ...passableHeaders(answer.headers),
      etag,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'max-age=0, must-revalidate',
    };
    delete finished['content-encoding'];
    if (matchesEtag(req.headers['if-none-match'], etag)) {
      delete finished['content-length'];
      res.writeHead(304, finished);
      return void res.end();
    }
    finished['content-length'] = String(document.length);
    res.writeHead(200, finished);
    return void res.end(req.method === 'HEAD' ? undefined : document);
  }
  if (record?.failure) return sendUnavailable(res, `${name}: ${record.failure}`);
  if (status === 404 && version !== null) {
    const hidden = record?.versions.get(version);
    if (hidden && hidden.hiddenBy.length > 0)
      return sendError(res, 403, hiddenVersionMessage(name, version, hidden.hiddenBy, env.context.config.mode));
    return sendError(res, 404, `${name} has no version or tag "${version}"${verdaccioSays(body)}`);
  }
  if (status === 404) {
    if (env.knownUpstream(verdict.decision))
      return sendUnavailable(
        res,
        `the upstream registry did not deliver ${name} just now (it exists there, but depfence has no copy yet); try again shortly`,
      );
    if (env.context.decider.internalRule('npm', name) === null) return sendError(res, 404, `${name} is not on the upstream registry`);
    if (env.context.config.upstreams.npm.internal === null)
      return sendError(
        res,
        404,
        `${name} is reserved for internal packages and nobody has published it to depfence (npm publish with a user from \`depfence user add\`)`,
      );
    return sendError(res, 404, `${name} is neither published to depfence nor on the internal registry`);
  }
  const message = `the upstream registry failed while depfence fetched ${name}${verdaccioSays(body)}`;
  return status >= 500 ? sendUnavailable(res, message) : sendError(res, status, message);
}

/** The registry whose tarball URLs a packument gives (upstreams.npm.lockfileUrls); null: the firewall's own. */
function lockfileRegistry(env: NpmEnv, name: string): string | null {
  const { npm } = env.context.config.upstreams;
  const reserved = env.context.decider.internalRule('npm', name) !== null;
  // A reserved name published to depfence itself has no registry of its own to name.
  if (reserved && npm.internal === null) return null;
  const registry = reserved ? npm.internal! : npm.registry;
  switch (npm.lockfileUrls) {
    case 'upstream':
      return registry;
    case 'firewall':
      return null;
    case 'auto':
      return npmSwapsByDefault(registry) ? registry : null;
  }
}

function verdaccioSays(body: Buffer): string {
  const text = verdaccioError(body);
  return text ? ` (registry proxy: ${text})` : '';
}

/** The document without its `latest` tag (Verdaccio refills a missing one with the highest version, prereleases included). */
function withoutLatest(body: Buffer): Buffer {
  const document = JSON.parse(body.toString('utf8')) as { 'dist-tags'?: Record<string, string> };
  if (document['dist-tags']) delete document['dist-tags'].latest;
  return Buffer.from(JSON.stringify(document));
}

/** Verdaccio's ETag tagged with the representation; else a hash of the bytes. */
function representationEtag(upstreamEtag: unknown, form: 'full' | 'abbreviated', body: Buffer): string {
  const base = typeof upstreamEtag === 'string' ? upstreamEtag.replace(/^W\//, '').replace(/"/g, '') : hashOf(body);
  return `W/"${base}-${form}"`;
}

function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 32);
}
