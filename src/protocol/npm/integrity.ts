// Does a tarball's content match what the packument promised? `dist.integrity` is Subresource
// Integrity (`sha512-<base64>`, possibly several space-separated hashes); the strongest algorithm
// given decides, as npm's ssri does. Old packuments have only `dist.shasum` (hex sha1).
import { createHash } from 'node:crypto';

export type IntegrityCheck =
  | { ok: true; algorithm: string }
  | { ok: false; reason: string };

const STRENGTH = ['sha512', 'sha384', 'sha256', 'sha1'] as const;

/** The digest algorithms to compute while the tarball streams in, to check it afterwards. */
export function digestsNeeded(integrity: string | null, shasum: string | null): string[] {
  const expected = parseIntegrity(integrity);
  const algorithm = STRENGTH.find((name) => expected.has(name));
  return algorithm ? [algorithm] : shasum ? ['sha1'] : [];
}

/** Checks digests computed over the tarball (by algorithm) against the packument's. */
export function checkDigests(digests: ReadonlyMap<string, Buffer>, integrity: string | null, shasum: string | null): IntegrityCheck {
  const expected = parseIntegrity(integrity);
  const algorithm = STRENGTH.find((name) => expected.has(name));
  if (algorithm) {
    const actual = digests.get(algorithm)?.toString('base64');
    if (actual !== undefined && expected.get(algorithm)!.includes(actual)) return { ok: true, algorithm };
    return { ok: false, reason: `its ${algorithm} digest is ${algorithm}-${actual ?? '(not computed)'}, but the packument's dist.integrity says ${integrity}` };
  }
  if (shasum && /^[0-9a-f]{40}$/i.test(shasum)) {
    const actual = digests.get('sha1')?.toString('hex');
    if (actual === shasum.toLowerCase()) return { ok: true, algorithm: 'sha1' };
    return { ok: false, reason: `its sha1 is ${actual ?? '(not computed)'}, but the packument's dist.shasum says ${shasum}` };
  }
  return { ok: false, reason: 'the packument gives no dist.integrity or dist.shasum to check it against' };
}

/** The same check over bytes in memory (small tarballs, tests). */
export function checkIntegrity(bytes: Buffer, integrity: string | null, shasum: string | null): IntegrityCheck {
  const digests = new Map(digestsNeeded(integrity, shasum).map((algorithm) => [algorithm, createHash(algorithm).update(bytes).digest()]));
  return checkDigests(digests, integrity, shasum);
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
