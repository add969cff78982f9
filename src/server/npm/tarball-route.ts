// Tarballs (`/name/-/name-1.2.3.tgz`), asked for by an install or straight from a lockfile:
// - the package-level verdict first (a denied package's tarballs are refused like its packument);
// - Verdaccio fetches the bytes (from storage, else the uplink), after running the version filter
//   on the package's metadata; depfence holds them back until:
// - the version survived the filter: a hidden version is refused with the reason (Verdaccio alone
//   would say 404, which reads as "no such file");
// - the bytes match the packument's dist.integrity: a mismatch is never served and never stored;
// - then the verified tarball is stored (first time) and served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../../policy/index.js';
import { sendError } from '../respond.js';
import { recordDecision } from './audit.js';
import { sendCaptured, type CapturedResponse } from './capture.js';
import type { NpmEnv } from './env.js';
import { exchange } from './exchange.js';
import { verdaccioError } from './verdaccio-answer.js';
import { checkIntegrity } from './integrity.js';
import { hiddenVersionMessage } from './messages.js';
import { versionFromFilename } from './paths.js';
import { refuseForVerdict } from './refusals.js';

export async function serveTarball(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, filename: string): Promise<void> {
  const { context } = env;
  const enforce = context.config.mode === 'enforce';
  const verdict = await env.gate.verdict(name);
  if (verdict.action !== 'pass') recordDecision(context, req, verdict.decision, 'tarball');
  if (refuseForVerdict(env, res, verdict, `${name} (tarball ${filename})`)) return;

  // The whole file, uncompressed, every time: it is checked byte for byte.
  const headers = { ...req.headers };
  for (const name of ['accept-encoding', 'range', 'if-range', 'if-none-match', 'if-modified-since']) delete headers[name];
  const captured = await exchange(env.verdaccio, req, res, { headers, limitBytes: env.limits.tarballBytes });

  const record = env.book.get(name);
  if (record?.failure) {
    recordDecision(context, req, tarballDecision(name, versionFromFilename(name, filename), 'filter', record.failure), 'tarball');
    if (enforce) return sendError(res, 503, `${name}: ${record.failure}`);
  }
  const version = env.book.versionByFile(name, filename) ?? record?.versions.get(versionFromFilename(name, filename) ?? '');
  if (version && version.hiddenBy.length > 0) {
    const message = hiddenVersionMessage(name, version.version, version.hiddenBy, context.config.mode);
    recordDecision(context, req, { ecosystem: 'npm', name, version: version.version, decision: 'deny', findings: version.hiddenBy }, 'tarball');
    // A tarball on a host depfence does not fetch from is refused in report mode too.
    if (enforce || version.hiddenBy.some((finding) => finding.check === 'source')) return sendError(res, 403, message);
  }

  if (captured.status === 404) return sendError(res, 404, `${name} has no tarball ${filename}${verdaccioSays(captured)}`);
  if (captured.status !== 200) {
    const status = captured.status >= 500 ? 502 : captured.status;
    return sendError(res, status, `the upstream registry failed to deliver ${filename} of ${name}${verdaccioSays(captured)}; nothing was stored, try again`);
  }
  if (!version) {
    env.store.discard(name, filename);
    return sendError(res, 502, `depfence has no packument entry for ${filename} of ${name} to check its integrity against, so it is not served`);
  }
  const check = checkIntegrity(captured.body, version.integrity, version.shasum);
  if (!check.ok) {
    env.store.discard(name, filename);
    const reason = `the tarball ${filename} of ${name}@${version.version} does not match its packument: ${check.reason}`;
    recordDecision(context, req, tarballDecision(name, version.version, 'integrity', reason), 'tarball');
    return sendError(res, 502, `${reason}; it was neither served nor stored (the upstream or the network altered it)`);
  }
  if (!env.store.has(name, filename)) env.store.save(name, filename, captured.body);
  sendCaptured(res, captured, req.method === 'HEAD');
}

function verdaccioSays(captured: CapturedResponse): string {
  const text = verdaccioError(captured);
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
