// Does a tarball's content match what the packument promised? `dist.integrity` is Subresource
// Integrity (`sha512-<base64>`, possibly several space-separated hashes), read with npm's own ssri:
// the strongest algorithm given decides, as it does for npm. Old packuments have only
// `dist.shasum` (hex sha1). Algorithms weaker than sha1 (md5…) are never relied on.
import ssri, { type IntegrityMap } from 'ssri';

export type IntegrityCheck = { ok: true; algorithm: string } | { ok: false; reason: string };

const TRUSTED = new Set(['sha512', 'sha384', 'sha256', 'sha1']);

interface Expected {
  integrity: IntegrityMap;
  algorithm: string;
  /** The packument field it came from, for messages. */
  field: string;
  written: string;
}

/** The digest algorithms to compute while the tarball streams in, to check it afterwards. */
export function digestsNeeded(integrity: string | null, shasum: string | null): string[] {
  const expected = expectedOf(integrity, shasum);
  return expected ? [expected.algorithm] : [];
}

/** Checks digests computed over the tarball (by algorithm) against the packument's. */
export function checkDigests(digests: ReadonlyMap<string, Buffer>, integrity: string | null, shasum: string | null): IntegrityCheck {
  const expected = expectedOf(integrity, shasum);
  if (!expected) return { ok: false, reason: 'the packument gives no dist.integrity or dist.shasum to check it against' };
  const { algorithm } = expected;
  const digest = digests.get(algorithm);
  const actual = digest === undefined ? null : ssri.parse(`${algorithm}-${digest.toString('base64')}`);
  if (actual && expected.integrity.match(actual)) return { ok: true, algorithm };
  const shown =
    digest === undefined
      ? '(not computed)'
      : algorithm === 'sha1' && expected.field === 'dist.shasum'
        ? digest.toString('hex')
        : `${algorithm}-${digest.toString('base64')}`;
  return { ok: false, reason: `its ${algorithm} digest is ${shown}, but the packument's ${expected.field} says ${expected.written}` };
}

/** The same check over bytes in memory (small tarballs, tests). */
export function checkIntegrity(bytes: Buffer, integrity: string | null, shasum: string | null): IntegrityCheck {
  const expected = expectedOf(integrity, shasum);
  const computed = expected ? ssri.fromData(bytes, { algorithms: [expected.algorithm] }) : null;
  const digests = new Map(computed ? [[expected!.algorithm, Buffer.from(computed[expected!.algorithm]![0]!.digest, 'base64')]] : []);
  return checkDigests(digests, integrity, shasum);
}

/** The hashes to check against: dist.integrity's trusted ones, else the sha1 shasum; null when neither is usable. */
function expectedOf(integrity: string | null, shasum: string | null): Expected | null {
  // ssri.parse answers null (not an Integrity) for text that holds no hash at all.
  const parsed = integrity ? ssri.parse(integrity) : null;
  if (parsed) for (const algorithm of Object.keys(parsed)) if (!TRUSTED.has(algorithm)) delete parsed[algorithm];
  if (parsed && Object.keys(parsed).length > 0)
    return { integrity: parsed, algorithm: parsed.pickAlgorithm(), field: 'dist.integrity', written: integrity! };
  if (shasum && /^[0-9a-f]{40}$/i.test(shasum))
    return { integrity: ssri.fromHex(shasum.toLowerCase(), 'sha1'), algorithm: 'sha1', field: 'dist.shasum', written: shasum };
  return null;
}
