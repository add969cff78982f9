// Does a tarball's content match what the packument promised? `dist.integrity` is Subresource
// Integrity (`sha512-<base64>`, possibly several space-separated hashes); the strongest algorithm
// given decides, as npm's ssri does. Old packuments have only `dist.shasum` (hex sha1).
import { createHash } from 'node:crypto';

export type IntegrityCheck =
  | { ok: true; algorithm: string }
  | { ok: false; reason: string };

const STRENGTH = ['sha512', 'sha384', 'sha256', 'sha1'] as const;

export function checkIntegrity(bytes: Buffer, integrity: string | null, shasum: string | null): IntegrityCheck {
  const expected = parseIntegrity(integrity);
  const algorithm = STRENGTH.find((name) => expected.has(name));
  if (algorithm) {
    const actual = createHash(algorithm).update(bytes).digest('base64');
    if (expected.get(algorithm)!.includes(actual)) return { ok: true, algorithm };
    return { ok: false, reason: `its ${algorithm} digest is ${algorithm}-${actual}, but the packument's dist.integrity says ${integrity}` };
  }
  if (shasum && /^[0-9a-f]{40}$/i.test(shasum)) {
    const actual = createHash('sha1').update(bytes).digest('hex');
    if (actual === shasum.toLowerCase()) return { ok: true, algorithm: 'sha1' };
    return { ok: false, reason: `its sha1 is ${actual}, but the packument's dist.shasum says ${shasum}` };
  }
  return { ok: false, reason: 'the packument gives no dist.integrity or dist.shasum to check it against' };
}

function parseIntegrity(integrity: string | null): Map<string, string[]> {
  const digests = new Map<string, string[]>();
  for (const part of (integrity ?? '').split(/\s+/)) {
    const match = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(part);
    if (!match) continue;
    digests.set(match[1]!, [...(digests.get(match[1]!) ?? []), match[2]!]);
  }
  return digests;
}
