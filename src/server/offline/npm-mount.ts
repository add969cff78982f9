// The npm registry of `serve --offline`, at the origin's root in place of the Verdaccio-based
// proxy (which exists to talk to uplinks; offline there are none). It answers from the offline
// store only: packuments and version documents built from the imported versions, tarballs from
// the store's blobs. The policy runs on every request with the recorded facts, so a package or
// version denied or blocklisted after its bundle was made is refused. Anything not imported is
// 404 with a message saying it is not in the vetted mirror. The request paths are read by the
// npm side's own parser, and refusals use its messages and audit records.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../policy/index.js';
import type { Mount, ServerContext } from '../context.js';
import { recordDecision, type NpmSubject } from '../npm/audit.js';
import { answeredNotModified } from '../conditional.js';
import { hiddenVersionMessage, refusalMessage } from '../npm/messages.js';
import { parseNpmPath } from '../../protocol/npm/paths.js';
import { wantsAbbreviated } from '../npm/verdaccio-answer.js';
import { sendError, sendJson } from '../respond.js';
import { requestOrigin } from '../request-origin.js';
import { OfflineStore, type StoredPackage } from '../../sources/offline-store/store.js';
import { offlineDecision } from './facts.js';
import { notInMirrorMessage } from './messages.js';
import { buildPackument, judgeOfflinePackage, versionDocument, type OfflinePackage } from './npm-packument.js';

export function offlineNpmMount(context: ServerContext): Mount {
  const store = new OfflineStore(context.config.server.dataDir);
  return { prefix: '/', handler: (req, res) => handleOfflineNpm(context, store, req, res) };
}

function handleOfflineNpm(context: ServerContext, store: OfflineStore, req: IncomingMessage, res: ServerResponse): void {
  const rawPath = (req.url ?? '/').split('?', 1)[0]!;
  const path = parseNpmPath(rawPath);
  if (path.kind === 'bad') return sendError(res, 400, path.message);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendError(
      res,
      405,
      `the vetted offline mirror is read-only (${req.method} ${rawPath}); publish to your own registry, and bring packages in with depfence import`,
    );
  }
  switch (path.kind) {
    case 'root':
      return sendJson(res, 200, { db_name: 'depfence-offline-mirror', offline: true });
    case 'endpoint':
      if (path.rest === 'ping') return sendJson(res, 200, {});
      return sendError(res, 404, `/-/${path.rest} is not served by the vetted offline mirror (it holds only packuments and tarballs)`);
    case 'package-other':
      return sendError(res, 404, `nothing is served at ${rawPath}`);
    case 'packument':
    case 'version':
    case 'tarball':
      break;
  }
  const stored = store.package('npm', path.name);
  if (stored?.package.ecosystem !== 'npm' || stored.package.name !== path.name) return sendError(res, 404, notInMirrorMessage(path.name));
  const subject: NpmSubject = path.kind === 'packument' ? 'packument' : path.kind === 'version' ? 'version manifest' : 'tarball';
  const now = context.now();
  const decision = offlineDecision(stored.package, context.decider.context, now);
  recordDecision(context, req, decision, subject);
  const enforce = context.config.mode === 'enforce';
  if (decision.decision === 'deny' && enforce) return sendError(res, 403, refusalMessage(decision), { decision });
  const judged = judgeOfflinePackage(stored, context.decider.context, now);
  for (const [version, findings] of judged.hidden) {
    recordDecision(context, req, { ecosystem: 'npm', name: path.name, version, decision: 'deny', findings }, subject);
  }
  const origin = requestOrigin(req, context.config);
  if (path.kind === 'packument') return sendPackument(req, res, stored, judged, origin, enforce);
  if (path.kind === 'version') return sendVersion(context, res, judged, path.version, origin, enforce, stored);
  return sendTarball(context, store, req, res, judged, path.filename, enforce, decision);
}

function sendPackument(
  req: IncomingMessage,
  res: ServerResponse,
  stored: StoredPackage,
  judged: OfflinePackage,
  origin: string,
  enforce: boolean,
): void {
  const abbreviated = wantsAbbreviated(req.headers.accept);
  const body = JSON.stringify(buildPackument(stored, judged, origin, { enforce, abbreviated }));
  const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}-${abbreviated ? 'abbreviated' : 'full'}"`;
  const headers = {
    'content-type': abbreviated ? 'application/vnd.npm.install-v1+json; charset=utf-8' : 'application/json; charset=utf-8',
    etag,
    vary: 'Accept, Accept-Encoding',
    'cache-control': 'max-age=0, must-revalidate',
  };
  if (answeredNotModified(req, res, etag, headers)) return;
  res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendVersion(
  context: ServerContext,
  res: ServerResponse,
  judged: OfflinePackage,
  asked: string,
  origin: string,
  enforce: boolean,
  stored: StoredPackage,
): void {
  const packument = buildPackument(stored, judged, origin, { enforce, abbreviated: false }) as { 'dist-tags': Record<string, string> };
  const version = packument['dist-tags'][asked] ?? asked;
  const hiddenBy = judged.hidden.get(version);
  if (hiddenBy && enforce) return sendError(res, 403, hiddenVersionMessage(judged.name, version, hiddenBy, context.config.mode));
  const artifact = judged.versions.get(version);
  if (!artifact) return sendError(res, 404, notInMirrorMessage(`${judged.name}@${asked}`));
  sendJson(res, 200, versionDocument(artifact, origin));
}

function sendTarball(
  context: ServerContext,
  store: OfflineStore,
  req: IncomingMessage,
  res: ServerResponse,
  judged: OfflinePackage,
  filename: string,
  enforce: boolean,
  decision: Decision,
): void {
  const artifact = [...judged.versions.values()].find((candidate) => candidate.filename === filename);
  if (!artifact) return sendError(res, 404, notInMirrorMessage(`${judged.name} (tarball ${filename})`));
  const hiddenBy = judged.hidden.get(artifact.version);
  if (hiddenBy && enforce)
    return sendError(res, 403, hiddenVersionMessage(judged.name, artifact.version, hiddenBy, context.config.mode), {
      decision: { ...decision, version: artifact.version, decision: 'deny', findings: hiddenBy },
    });
  const blob = store.blob(artifact.sha256);
  if (!blob)
    return sendError(
      res,
      500,
      `${judged.name}@${artifact.version} is listed in the offline store but its tarball is missing (the store is damaged: import the bundle again)`,
    );
  const etag = `"sha256-${artifact.sha256}"`;
  const headers = { 'content-type': 'application/octet-stream', etag, 'cache-control': 'public, max-age=31536000, immutable' };
  if (answeredNotModified(req, res, etag, headers)) return;
  res.writeHead(200, { ...headers, 'content-length': String(blob.size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(blob.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
