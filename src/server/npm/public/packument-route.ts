// Packuments (`/name`) and version manifests (`/name/1.2.3`, `/name/latest`) of public packages,
// served by depfence itself: the package-level verdict, then the packument judged version by version
// (packuments.ts), then the document the client asked for (render.ts) with the representation's
// ETag (document-response.ts); a document rendered from a judgement that may still be reused is
// served again as it is. The hidden versions are logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendUnavailable } from '../../respond.js';
import { recordDecision } from '../audit.js';
import { documentHash, refuseUnservable, sendMissingPackage, sendMissingVersion, sendPackumentDocument } from '../document-response.js';
import type { NpmEnv } from '../env.js';
import { refuseForVerdict } from '../refusals.js';
import { lockfileRegistry } from '../tarball-origin.js';
import { wantsAbbreviated } from '../verdaccio-answer.js';
import { requestOrigin } from '../../request-origin.js';
import { packumentDocument, versionManifest } from './render.js';
import { ABBREVIATED_MEDIA_TYPE } from '../../../protocol/npm/abbreviated.js';

export async function servePublicPackument(
  env: NpmEnv,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  version: string | null,
): Promise<void> {
  const subject = version === null ? 'packument' : 'version manifest';
  const verdict = await env.gate.verdict(name);
  recordDecision(env.context, req, verdict.decision, subject);
  if (refuseForVerdict(env, res, verdict)) return;
  const abbreviated = version === null && wantsAbbreviated(req.headers.accept);
  const origin = lockfileRegistry(env.context.config.upstreams.npm, false) === null ? requestOrigin(req, env.context.config) : null;
  const form = abbreviated ? 'abbreviated' : 'full';
  const headers = { 'content-type': abbreviated ? `${ABBREVIATED_MEDIA_TYPE}; charset=utf-8` : 'application/json; charset=utf-8' };
  const variant = `${form}\n${version ?? ''}\n${origin ?? ''}`;
  const reused = env.publicPackuments.reusedDocument(name, variant);
  if (reused) {
    env.hiddenLog.record(env.context, req, reused.record, subject);
    return sendPackumentDocument(req, res, reused.body, form, headers, reused.etagBase);
  }

  const judged = await env.publicPackuments.judge(name);
  if (judged.kind === 'failed')
    return sendUnavailable(res, `the upstream registry failed while depfence fetched ${name}: ${judged.message}`);
  if (judged.kind === 'not-found') return sendMissingPackage(env, res, name, verdict);
  const { packument, record } = judged;
  env.hiddenLog.record(env.context, req, record, subject);
  if (refuseUnservable(env, res, name, version, record)) return;
  const document = version === null ? packumentDocument(packument, abbreviated, origin) : versionManifest(packument, version, origin);
  if (document === null) return sendMissingVersion(env, res, name, version!, record);
  const body = Buffer.from(JSON.stringify(document));
  const etagBase = documentHash(body);
  env.publicPackuments.keepDocument(name, variant, { body, etagBase, record });
  return sendPackumentDocument(req, res, body, form, headers, etagBase);
}
