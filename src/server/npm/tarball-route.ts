// Tarballs (`/name/-/name-1.2.3.tgz`), asked for by an install or straight from a lockfile:
// - the package-level verdict first (a denied package's tarballs are refused like its packument);
// - the registry process serves the bytes from its storage, else through its uplink, which is
//   depfence's listener: it streams the tarball to disk, checks it against the packument's
//   integrity and only then hands it over (uplink/tarball.ts), so what arrives here is verified;
// - Verdaccio runs the version filter before it serves a tarball, so the verdict book knows the
//   version: a hidden one is refused with the reason (Verdaccio alone would say 404, which reads
//   as "no such file"), and a version depfence has no verdict for is not served at all;
// - then the bytes are piped to the client as they come, never held whole.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../policy/index.js';
import { sendError, sendUnavailable } from '../respond.js';
import { recordDecision } from './audit.js';
import type { NpmEnv } from './env.js';
import { hiddenVersionMessage } from './messages.js';
import { versionFromFilename } from '../../protocol/npm/paths.js';
import { refuseForVerdict } from './refusals.js';
import { passableHeaders, readAnswer } from './registry/forward.js';
import { verdaccioError } from './verdaccio-answer.js';

const ERROR_BODY_BYTES = 64 * 1024;

export async function serveTarball(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, filename: string): Promise<void> {
  const { context } = env;
  const enforce = context.config.mode === 'enforce';
  const verdict = await env.gate.verdict(name);
  if (verdict.action !== 'pass') recordDecision(context, req, verdict.decision, 'tarball');
  if (refuseForVerdict(env, res, verdict, `${name} (tarball ${filename})`)) return;

  // The whole file, uncompressed: no ranges or conditional answers of Verdaccio's own.
  const headers = { ...req.headers };
  for (const header of ['accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since']) delete headers[header];
  const answer = await env.registry.ask({ method: req.method === 'HEAD' ? 'HEAD' : 'GET', path: req.url ?? '/', headers }, res);
  const status = answer.statusCode ?? 502;
  const refuse = (code: number, message: string) => {
    answer.destroy();
    sendError(res, code, message);
  };

  const record = env.book.get(name);
  if (record?.failure) {
    recordDecision(context, req, tarballDecision(name, versionFromFilename(name, filename), 'filter', record.failure), 'tarball');
    if (enforce) {
      answer.destroy();
      return sendUnavailable(res, `${name}: ${record.failure}`);
    }
  }
  const version = env.book.versionByFile(name, filename) ?? record?.versions.get(versionFromFilename(name, filename) ?? '');
  if (version && version.hiddenBy.length > 0) {
    const message = hiddenVersionMessage(name, version.version, version.hiddenBy, context.config.mode);
    recordDecision(
      context,
      req,
      { ecosystem: 'npm', name, version: version.version, decision: 'deny', findings: version.hiddenBy },
      'tarball',
    );
    // A tarball on a host depfence does not fetch from is refused in report mode too.
    if (enforce || version.hiddenBy.some((finding) => finding.check === 'source')) return refuse(403, message);
  }

  if (status !== 200) {
    const body = await readAnswer(answer, ERROR_BODY_BYTES).catch(() => Buffer.alloc(0));
    const failure = env.tarballFailures.get(`${name}/${filename}`);
    if (status === 404 && !failure) return sendError(res, 404, `${name} has no tarball ${filename}${verdaccioSays(body)}`);
    if (failure?.integrity)
      recordDecision(context, req, tarballDecision(name, version?.version ?? null, 'integrity', failure.reason), 'tarball');
    // A download that failed or did not match (the firewall already retried it) stays a 502.
    if (failure) return sendError(res, 502, failure.reason);
    const message = `the upstream registry failed to deliver ${filename} of ${name}${verdaccioSays(body)}; nothing was stored, try again`;
    return status >= 500 ? sendUnavailable(res, message) : sendError(res, status, message);
  }
  if (!version) return refuse(502, `depfence has no packument entry for ${filename} of ${name} to check it against, so it is not served`);
  res.writeHead(200, passableHeaders(answer.headers));
  answer.pipe(res);
  answer.on('error', () => res.destroy());
}

function verdaccioSays(body: Buffer): string {
  const text = verdaccioError(body);
  return text ? ` (registry proxy: ${text})` : '';
}

/** A tarball refused for its bytes or a failed filter, as an audit record. */
function tarballDecision(name: string, version: string | null, check: 'integrity' | 'filter', message: string): Decision {
  return {
    ecosystem: 'npm',
    name,
    version,
    decision: 'deny',
    findings: [{ check, severity: 'deny', message, evidence: { subject: 'tarball' } }],
  };
}
