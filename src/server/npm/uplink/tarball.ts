// A tarball for Verdaccio's uplink: fetched from the registry the packument names (never a redirect
// off that origin), streamed into a temporary file while it is hashed, checked against the
// packument's dist.integrity, and only then handed to Verdaccio (which stores it and serves it).
// Bytes that do not match never reach Verdaccio; the reason is kept for the client's route.
import { createReadStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { downloadToFile } from '../../../sources/download.js';
import { ArtifactError } from '../../../sources/upstream-error.js';
import { fetchNpmPackument, NPM_REGISTRY } from '../../../sources/npm-metadata.js';
import { processIsAlive } from '../../../sources/process-alive.js';
import { sendError } from '../../respond.js';
import { tarballFilename } from '../../../protocol/npm/packument.js';
import { checkDigests, digestsNeeded } from '../../../protocol/npm/integrity.js';
import { onOrigin } from './packument.js';
import type { UplinkDeps } from './deps.js';

/** Larger tarballs are refused (they are streamed to disk, so this bounds disk, not memory). */
export const TARBALL_LIMIT_BYTES = 1024 * 1024 * 1024;

export async function serveTarballToUplink(
  deps: UplinkDeps,
  res: ServerResponse,
  registry: string,
  name: string,
  filename: string,
): Promise<void> {
  const key = `${name}/${filename}`;
  const fail = (reason: string, integrity = false) => {
    deps.failures.set(key, { reason, integrity });
    sendError(res, 502, reason);
  };
  let packument;
  try {
    const answer = await fetchNpmPackument(deps.decider.http, registry, name);
    if (!answer.found) return sendError(res, 404, `${name} is not on ${registry}`);
    packument = answer.packument;
  } catch (error) {
    return fail((error as Error).message);
  }
  const origin = new URL(registry).origin;
  // The version is the packument's key, as the filter's verdicts are (the manifest's own field is upstream data).
  const found = Object.entries(packument.versions).find(
    ([, manifest]) =>
      tarballFilename(manifest) === filename && typeof manifest.dist?.tarball === 'string' && onOrigin(manifest.dist.tarball, origin),
  );
  if (!found) return sendError(res, 404, `${name} has no tarball ${filename} on ${registry}`);
  const [version, match] = found;
  const hidden = deps.book.get(name)?.versions.get(version)?.hiddenBy ?? [];
  if (deps.enforce && hidden.length > 0) return sendError(res, 403, `${name}@${version} is hidden`);

  const integrity = match.dist?.integrity ?? null;
  const shasum = match.dist?.shasum ?? null;
  const file = join(deps.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.tgz`);
  try {
    const downloaded = await downloadToFile(
      {
        url: match.dist!.tarball!,
        upstream: NPM_REGISTRY,
        allowUrl: (url) => onOrigin(url.href, origin),
        maxBytes: TARBALL_LIMIT_BYTES,
        tooLarge: () =>
          new ArtifactError(
            'EARTIFACT_SIZE',
            match.dist!.tarball!,
            `the tarball ${filename} of ${name} is larger than ${TARBALL_LIMIT_BYTES} bytes`,
          ),
        digests: digestsNeeded(integrity, shasum),
      },
      file,
      { timeoutMs: deps.config.network.timeout, retries: deps.config.network.retries },
    );
    const check = checkDigests(downloaded.digests, integrity, shasum);
    if (!check.ok) {
      rmSync(file, { force: true });
      return fail(
        `the tarball ${filename} of ${name}@${version} does not match its packument: ${check.reason}; it was neither served nor stored (the upstream or the network altered it)`,
        true,
      );
    }
    deps.failures.delete(key);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': downloaded.size });
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    res.on('close', () => rmSync(file, { force: true }));
    stream.pipe(res);
  } catch (error) {
    rmSync(file, { force: true });
    const message = (error as Error).message;
    return fail(
      `the upstream registry failed to deliver ${filename} of ${name}: ${message.replace(/^depfence: /, '')}; nothing was stored, try again`,
    );
  }
}

/** The folder for downloads in progress, with what dead processes left behind removed. */
export function prepareTmpDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
    if (Number.isNaN(pid) || (pid !== process.pid && processIsAlive(pid))) continue;
    rmSync(join(dir, name), { force: true, recursive: true });
  }
  return dir;
}
