// What the packument routes share once they hold the document a client gets: an ETag per
// representation (full and abbreviated are different documents) with `Vary: Accept`, conditional
// requests answered with 304, and the "no such version" and "no such package" answers.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { matchesEtag } from '../conditional.js';
import { sendError, sendUnavailable } from '../respond.js';
import type { NpmEnv } from './env.js';
import type { GateVerdict } from './gate.js';
import type { PackageRecord } from './filter/verdict-book.js';
import { hiddenVersionMessage } from './messages.js';

export type Representation = 'full' | 'abbreviated';

/** Sends `document` (200, or 304 when the client holds it); `etagBase` names the upstream state, else the bytes are hashed. */
export function sendPackumentDocument(
  req: IncomingMessage,
  res: ServerResponse,
  document: Buffer,
  form: Representation,
  headers: OutgoingHttpHeaders,
  etagBase?: unknown,
): void {
  const base = typeof etagBase === 'string' ? etagBase.replace(/^W\//, '').replace(/"/g, '') : documentHash(document);
  const etag = `W/"${base}-${form}"`;
  const finished: OutgoingHttpHeaders = {
    ...headers,
    etag,
    vary: 'Accept, Accept-Encoding',
    'cache-control': 'max-age=0, must-revalidate',
  };
  delete finished['content-encoding'];
  delete finished['content-length'];
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    res.writeHead(304, finished);
    return void res.end();
  }
  finished['content-length'] = String(document.length);
  res.writeHead(200, finished);
  res.end(req.method === 'HEAD' ? undefined : document);
}

/** A version or tag the served packument lacks: 403 with the reason when the policy hid it, else 404. */
export function sendMissingVersion(
  env: NpmEnv,
  res: ServerResponse,
  name: string,
  version: string,
  record: PackageRecord | undefined,
  detail = '',
): void {
  const hidden = record?.versions.get(version);
  if (hidden && hidden.hiddenBy.length > 0)
    return sendError(res, 403, hiddenVersionMessage(name, version, hidden.hiddenBy, env.context.config.mode));
  sendError(res, 404, `${name} has no version or tag "${version}"${detail}`);
}

/**
 * Answers, and returns true, when the judged packument has nothing fit to serve for this request:
 * the version filter failed and (enforce) hid every version, which is said with its reason rather
 * than as an empty packument npm would report as "no matching version"; or `latest` is asked of a
 * package whose latest was removed.
 */
export function refuseUnservable(
  env: NpmEnv,
  res: ServerResponse,
  name: string,
  version: string | null,
  record: PackageRecord | undefined,
): boolean {
  if (record?.failure && env.context.config.mode === 'enforce') {
    sendUnavailable(res, `${name}: ${record.failure}`);
    return true;
  }
  if (record?.latestRemoved && version === 'latest') {
    sendError(
      res,
      404,
      `${name} has no stable version at or below its latest that depfence serves, so it has no "latest"; ask for a version or range`,
    );
    return true;
  }
  return false;
}

/** A package the registry did not deliver, after its verdict passed. */
export function sendMissingPackage(env: NpmEnv, res: ServerResponse, name: string, verdict: GateVerdict): void {
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
  sendError(res, 404, `${name} is neither published to depfence nor on the internal registry`);
}

/** What names a document's bytes in its ETag. */
export function documentHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 32);
}
