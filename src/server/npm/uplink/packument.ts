// A packument for Verdaccio's uplink: the same document the facts were read from (one fetch per
// packument: the HTTP client's cache and in-flight sharing serve both), with every tarball URL
// pointed back at depfence's uplink listener (see addresses.ts). Answered with a strong ETag over
// the bytes, so Verdaccio's revalidation after its maxage costs a 304, not a download.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchesEtag } from '../../conditional.js';
import { sendError } from '../../respond.js';
import { tarballFilename } from '../../../protocol/npm/packument.js';
import type { NpmPackument } from '../../../sources/npm-metadata.js';
import type { UplinkAddresses, UplinkSource } from './addresses.js';

export function pointTarballsAtUplink(
  packument: NpmPackument,
  registry: string,
  source: UplinkSource,
  addresses: UplinkAddresses,
): NpmPackument {
  const origin = new URL(registry).origin;
  const versions = Object.fromEntries(
    Object.entries(packument.versions).map(([version, manifest]) => {
      const url = manifest.dist?.tarball;
      if (typeof url !== 'string' || !manifest.dist) return [version, manifest];
      const file = tarballFilename(manifest) ?? `${version}.tgz`;
      const tarball = onOrigin(url, origin)
        ? addresses.tarballUrl(source, packument.name, file)
        : addresses.refusedTarballUrl(packument.name, file, url);
      return [version, { ...manifest, dist: { ...manifest.dist, tarball } }];
    }),
  );
  return { ...packument, versions };
}

export function onOrigin(url: string, origin: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.origin === origin && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

export function sendDocument(req: IncomingMessage, res: ServerResponse, document: unknown): void {
  const body = Buffer.from(JSON.stringify(document));
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 40)}"`;
  if (matchesEtag(req.headers['if-none-match'], etag)) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, etag });
  res.end(body);
}

export function sendUpstreamFailure(res: ServerResponse, error: unknown): void {
  sendError(res, 502, error instanceof Error ? error.message : String(error));
}
