// Tarballs (`/name/-/name-1.2.3.tgz`) of public packages, served by depfence itself, asked for by an
// install or straight from a lockfile:
// - the package-level verdict first (a denied package's tarballs are refused like its packument);
// - the verdicts on the package's versions (judged in the last few seconds, else now): a hidden
//   version is refused with the reason, and a file the packument does not list is not served;
// - the bytes from the tarball store (sources/artifacts.ts), else fetched from the URL the
//   packument gives (never a redirect off the registry's origin), streamed to a temporary file while
//   hashed, checked against the packument's dist.integrity (or shasum) and only then stored and
//   served, from disk, never held whole in memory.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkDigests, digestsNeeded } from '../../../protocol/npm/integrity.js';
import { ArtifactError, type RegistryDigest, type StoredArtifact } from '../../../sources/artifacts.js';
import { NPM_REGISTRY } from '../../../sources/npm-metadata.js';
import { sendError, sendUnavailable } from '../../respond.js';
import { recordDecision } from '../audit.js';
import type { NpmEnv } from '../env.js';
import type { VersionRecord } from '../filter/verdict-book.js';
import { refuseForVerdict } from '../refusals.js';
import { guardTarball, recordMismatchedTarball } from '../tarball-guard.js';
import { onOrigin } from '../uplink/packument.js';

export async function servePublicTarball(
  env: NpmEnv,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  filename: string,
): Promise<void> {
  const verdict = await env.gate.verdict(name);
  if (verdict.action !== 'pass') recordDecision(env.context, req, verdict.decision, 'tarball');
  if (refuseForVerdict(env, res, verdict, `${name} (tarball ${filename})`)) return;

  const judged = await env.publicPackuments.recent(name);
  if (judged.kind === 'failed')
    return sendError(res, 502, `the upstream registry failed while depfence fetched ${name}: ${judged.message}`);
  if (judged.kind === 'not-found') return sendError(res, 404, `${name} has no tarball ${filename}: it is not on the upstream registry`);
  const guard = guardTarball(env, req, name, filename, judged.record);
  if (guard.refused) return guard.unavailable ? sendUnavailable(res, guard.message) : sendError(res, 403, guard.message);
  const { version } = guard;
  if (version?.file !== filename || version.tarball === null) return sendError(res, 404, `${name} has no tarball ${filename}`);
  const digest = registryDigest(name, version);
  if (digest === null)
    return sendError(
      res,
      502,
      `the packument of ${name} gives ${filename} no dist.integrity or dist.shasum to check it against, so it is not served`,
    );

  let stored: StoredArtifact;
  try {
    stored = await env.tarballs.ensure({
      url: version.tarball,
      sha256: null,
      registryDigest: digest,
      size: null,
      upstream: NPM_REGISTRY,
      allowUrl: (url) => onOrigin(url.href, new URL(env.context.config.upstreams.npm.registry).origin),
    });
  } catch (error) {
    if (error instanceof ArtifactError && error.code === 'EARTIFACT_INTEGRITY') {
      recordMismatchedTarball(env, req, name, version.version, error.message);
      return sendError(res, 502, error.message);
    }
    const message = (error as Error).message.replace(/^depfence: /, '');
    return sendError(res, 502, `the upstream registry failed to deliver ${filename} of ${name}: ${message}; nothing was stored, try again`);
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': stored.size });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(stored.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** What the tarball must match: the packument's dist.integrity, else its sha1 shasum; null when it gives neither. */
function registryDigest(name: string, version: VersionRecord): RegistryDigest | null {
  const { integrity, shasum } = version;
  const algorithms = digestsNeeded(integrity, shasum);
  if (algorithms.length === 0) return null;
  return {
    id: `${integrity ?? ''} ${shasum ?? ''}`,
    algorithms,
    refusal: (digests) => {
      const check = checkDigests(digests, integrity, shasum);
      return check.ok
        ? null
        : `the tarball ${version.file} of ${name}@${version.version} does not match its packument: ${check.reason}; it was neither served nor stored (the upstream or the network altered it)`;
    },
  };
}
