// Packuments (`/name`) and version manifests (`/name/1.2.3`, `/name/latest`) of the names reserved
// for internal packages, which the registry process serves (published to depfence, or from
// upstreams.npm.internal): the package-level verdict (the registry process is asked meanwhile; its
// answer is used only if the verdict lets the package through), the registry process's answer (its
// version filter hides versions), then depfence's finishing: no `latest` where none survived, the
// representation's ETag and conditional requests (document-response.ts), the hidden versions
// logged, and Verdaccio's "not found" turned into a refusal for unavailable facts (403, which npm
// does not retry) when the package exists and only the upstream failed. Tarball URLs name the
// internal registry's origin when lockfile URLs should (tarball-origin.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NpmEnv } from '../env.js';
import { verdaccioError, wantsAbbreviated } from '../verdaccio-answer.js';
import { refuseUnservable, sendMissingPackage, sendMissingVersion, sendPackumentDocument } from '../document-response.js';
import { recordDecision } from '../audit.js';
import { refuseForVerdict } from '../refusals.js';
import { sendError, sendUnavailable } from '../../respond.js';
import { lockfileRegistry, onUpstreamOrigin } from '../tarball-origin.js';
import { passableHeaders, readAnswer } from '../registry/forward.js';

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

  if (status === 200) {
    if (refuseUnservable(env, res, name, version, record)) return;
    const filtered = record?.latestRemoved && version === null ? withoutLatest(body) : body;
    const registry = lockfileRegistry(env.context.config.upstreams.npm, env.context.decider.internalRule('npm', name) !== null);
    const document = registry === null ? filtered : onUpstreamOrigin(filtered, registry);
    return sendPackumentDocument(
      req,
      res,
      document,
      abbreviated ? 'abbreviated' : 'full',
      passableHeaders(answer.headers),
      answer.headers.etag,
    );
  }
  if (record?.failure) return sendUnavailable(res, `${name}: ${record.failure}`);
  if (status === 404 && version !== null) return sendMissingVersion(env, res, name, version, record, verdaccioSays(body));
  const uplinkFailure = env.packumentFailures.get(name);
  if (status === 404 && uplinkFailure !== undefined)
    return sendUnavailable(res, `the internal registry failed while depfence fetched ${name}: ${uplinkFailure}`);
  if (status === 404) return sendMissingPackage(env, res, name, verdict);
  const message = `the upstream registry failed while depfence fetched ${name}${verdaccioSays(body)}`;
  return status >= 500 ? sendUnavailable(res, message) : sendError(res, status, message);
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
