// Tarballs (`/name/-/name-1.2.3.tgz`) of the names reserved for internal packages, asked for by an
// install or straight from a lockfile:
// - the package-level verdict first (a denied package's tarballs are refused like its packument);
// - the registry process serves the bytes from its storage, else through its uplink, which is
//   depfence's listener: it streams the tarball to disk, checks it against the packument's
//   integrity and only then hands it over (uplink/tarball.ts), so what arrives here is verified;
// - Verdaccio runs the version filter before it serves a tarball, so the verdict book knows the
//   version: a hidden one is refused with the reason (Verdaccio alone would say 404, which reads
//   as "no such file"), and a version depfence has no verdict for is not served at all;
// - then the bytes are piped to the client as they come, never held whole.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendUnavailable } from '../../respond.js';
import { recordDecision } from '../audit.js';
import type { NpmEnv } from '../env.js';
import { guardTarball, recordMismatchedTarball } from '../tarball-guard.js';
import { refuseForVerdict } from '../refusals.js';
import { passableHeaders, readAnswer } from '../registry/forward.js';
import { verdaccioError } from '../verdaccio-answer.js';

const ERROR_BODY_BYTES = 64 * 1024;

export async function serveTarball(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, filename: string): Promise<void> {
  const verdict = await env.gate.verdict(name);
  if (verdict.action !== 'pass') recordDecision(env.context, req, verdict.decision, 'tarball');
  if (refuseForVerdict(env, res, verdict, `${name} (tarball ${filename})`)) return;

  // The whole file, uncompressed: no ranges or conditional answers of Verdaccio's own.
  const headers = { ...req.headers };
  for (const header of ['accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since']) delete headers[header];
  const answer = await env.registry.ask({ method: req.method === 'HEAD' ? 'HEAD' : 'GET', path: req.url ?? '/', headers }, res);
  const status = answer.statusCode ?? 502;

  const guard = guardTarball(env, req, name, filename, env.book.get(name));
  if (guard.refused) {
    answer.destroy();
    return guard.unavailable ? sendUnavailable(res, guard.message) : sendError(res, 403, guard.message);
  }
  const { version } = guard;

  if (status !== 200) {
    const body = await readAnswer(answer, ERROR_BODY_BYTES).catch(() => Buffer.alloc(0));
    const failure = env.tarballFailures.get(`${name}/${filename}`);
    if (status === 404 && !failure) return sendError(res, 404, `${name} has no tarball ${filename}${verdaccioSays(body)}`);
    if (failure?.integrity) recordMismatchedTarball(env, req, name, version?.version ?? null, failure.reason);
    // A download that failed or did not match (the firewall already retried it) stays a 502.
    if (failure) return sendError(res, 502, failure.reason);
    const message = `the upstream registry failed to deliver ${filename} of ${name}${verdaccioSays(body)}; nothing was stored, try again`;
    return status >= 500 ? sendUnavailable(res, message) : sendError(res, status, message);
  }
  if (!version) {
    answer.destroy();
    return sendError(res, 502, `depfence has no packument entry for ${filename} of ${name} to check it against, so it is not served`);
  }
  res.writeHead(200, passableHeaders(answer.headers));
  answer.pipe(res);
  answer.on('error', () => res.destroy());
}

function verdaccioSays(body: Buffer): string {
  const text = verdaccioError(body);
  return text ? ` (registry proxy: ${text})` : '';
}
