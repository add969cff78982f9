// Packuments (`/name`) and version manifests (`/name/1.2.3`, `/name/latest`): the package-level
// verdict first, then Verdaccio (whose version filter hides versions), then depfence's finishing:
// an ETag per representation (full and abbreviated are different documents) with `Vary: Accept`,
// conditional requests, the hidden versions logged, and Verdaccio's "not found" turned into 503
// when the package exists and only the upstream failed.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendCaptured, type CapturedResponse } from './capture.js';
import type { NpmEnv } from './env.js';
import { exchange } from './exchange.js';
import { verdaccioError, wantsAbbreviated } from './verdaccio-answer.js';
import { matchesEtag } from '../conditional.js';
import { hiddenVersionMessage } from './messages.js';
import { recordDecision } from './audit.js';
import { refuseForVerdict } from './refusals.js';
import { sendError } from '../respond.js';

export async function servePackument(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, version: string | null): Promise<void> {
  const subject = version === null ? 'packument' : 'version manifest';
  const verdict = await env.gate.verdict(name);
  recordDecision(env.context, req, verdict.decision, subject);
  if (refuseForVerdict(env, res, verdict)) return;

  const abbreviated = version === null && wantsAbbreviated(req.headers.accept);
  const ifNoneMatch = req.headers['if-none-match'];
  // Verdaccio (Express) would answer 304 against its own ETag; depfence decides that below.
  const headers = { ...req.headers };
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
  const captured = await exchange(env.verdaccio, req, res, { headers, limitBytes: env.limits.packumentBytes });
  const record = env.book.get(name);
  if (record) env.hiddenLog.record(env.context, req, record, subject);

  // The filter failed and hid every version: say why, rather than serve an empty packument that
  // npm would report as "no matching version".
  if (captured.status === 200 && record?.failure && env.context.config.mode === 'enforce') return sendError(res, 503, `${name}: ${record.failure}`);
  if (captured.status === 200) {
    const etag = representationEtag(captured.headers.etag, abbreviated ? 'abbreviated' : 'full', captured.body);
    const answer = { ...captured.headers, etag, vary: 'Accept, Accept-Encoding', 'cache-control': 'max-age=0, must-revalidate' };
    if (matchesEtag(ifNoneMatch, etag)) return sendCaptured(res, { status: 304, headers: answer, body: Buffer.alloc(0) }, true);
    return sendCaptured(res, { ...captured, headers: answer }, req.method === 'HEAD');
  }
  if (record?.failure) return sendError(res, 503, `${name}: ${record.failure}`);
  if (captured.status === 404 && version !== null) {
    const hidden = record?.versions.get(version);
    if (hidden && hidden.hiddenBy.length > 0) return sendError(res, 403, hiddenVersionMessage(name, version, hidden.hiddenBy, env.context.config.mode));
    return sendError(res, 404, `${name} has no version or tag "${version}"${verdaccioSays(captured)}`);
  }
  if (captured.status === 404) {
    if (env.knownUpstream(verdict.decision)) return sendError(res, 503, `the upstream registry did not deliver ${name} just now (it exists there, but depfence has no copy yet); try again shortly`);
    if (env.context.config.offline) return sendError(res, 404, `${name} is not in depfence's storage, and offline mode asks no upstream`);
    if (env.context.decider.internalRule('npm', name) === null) return sendError(res, 404, `${name} is not on the upstream registry`);
    if (env.context.config.upstreams.npm.internal === null) return sendError(res, 404, `${name} is reserved for internal packages and no internal registry is configured, so depfence never looks it up`);
    return sendError(res, 404, `${name} is not on the internal registry`);
  }
  const status = captured.status >= 500 ? 503 : captured.status;
  return sendError(res, status, `the upstream registry failed while depfence fetched ${name}${verdaccioSays(captured)}`);
}

function verdaccioSays(captured: CapturedResponse): string {
  const text = verdaccioError(captured);
  return text ? ` (registry proxy: ${text})` : '';
}

/** Verdaccio's ETag (an MD5 of the body it sent) tagged with the representation; else a hash of the bytes. */
function representationEtag(upstreamEtag: unknown, form: 'full' | 'abbreviated', body: Buffer): string {
  const base = typeof upstreamEtag === 'string' ? upstreamEtag.replace(/^W\//, '').replace(/"/g, '') : hashOf(body);
  return `W/"${base}-${form}"`;
}

function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 32);
}
