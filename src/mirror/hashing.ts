// Digests of files and buffers, in the forms the manifest records: hex sha256, and npm's
// Subresource Integrity (`sha512-<base64>`).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fileDigests(path: string): Promise<{ sha256: string; sha512: string; size: number }> {
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    sha256.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha256.digest('hex'), sha512: `sha512-${sha512.digest('base64')}`, size };
}
