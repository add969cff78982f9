// Detached bundle signatures: `BUNDLE.tgz.sig` holds an ed25519 signature (node:crypto) over a
// short statement naming the bundle's sha256, so a bundle of any size is signed and checked in
// one streaming pass. The statement is versioned, so a signature cannot be read as another kind.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MirrorError } from '../sources/offline-store/errors.js';

export const SIGNATURE_SUFFIX = '.sig';
const FORMAT = 'depfence-bundle-signature';

export interface SignatureFile {
  format: typeof FORMAT;
  version: 1;
  algorithm: 'ed25519';
  /** The signed bundle's sha256 (hex). */
  sha256: string;
  /** base64 */
  signature: string;
}

function statement(sha256: string): Buffer {
  return Buffer.from(`${FORMAT} v1\nsha256 ${sha256}\n`, 'utf8');
}

export function signBundle(sha256: string, privateKeyFile: string): SignatureFile {
  const key = readKey(privateKeyFile, 'private');
  return { format: FORMAT, version: 1, algorithm: 'ed25519', sha256, signature: sign(null, statement(sha256), key).toString('base64') };
}

/** Throws MirrorError('ESIGNATURE') unless `signatureText` is a valid signature of a bundle with this sha256 by this key. */
export function verifyBundleSignature(signatureText: string, sha256: string, publicKeyFile: string, signatureFile: string): void {
  const key = readKey(publicKeyFile, 'public');
  let parsed: Partial<SignatureFile>;
  try {
    parsed = JSON.parse(signatureText) as Partial<SignatureFile>;
  } catch {
    throw new MirrorError('ESIGNATURE', `${signatureFile} is not a depfence bundle signature (not JSON)`);
  }
  if (
    parsed.format !== FORMAT ||
    parsed.version !== 1 ||
    parsed.algorithm !== 'ed25519' ||
    typeof parsed.signature !== 'string' ||
    typeof parsed.sha256 !== 'string'
  ) {
    throw new MirrorError('ESIGNATURE', `${signatureFile} is not a depfence bundle signature (version 1, ed25519)`);
  }
  if (parsed.sha256 !== sha256) {
    throw new MirrorError(
      'ESIGNATURE',
      `${signatureFile} signs a bundle with sha256 ${parsed.sha256}, but this bundle's sha256 is ${sha256}: the bundle was changed or the signature belongs to another bundle; nothing was imported`,
    );
  }
  const ok = verify(null, statement(sha256), key, Buffer.from(parsed.signature, 'base64'));
  if (!ok)
    throw new MirrorError(
      'ESIGNATURE',
      `the signature in ${signatureFile} does not verify with the key ${publicKeyFile}: the bundle was not signed by that key, or the signature was altered; nothing was imported`,
    );
}

function readKey(file: string, kind: 'private' | 'public'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MirrorError(
      'ESIGNATURE',
      `cannot read the ${kind} key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new MirrorError('ESIGNATURE', `${file} is not a PEM ${kind} key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new MirrorError(
      'ESIGNATURE',
      `${file} is a ${key.asymmetricKeyType ?? 'symmetric'} key; bundles are signed with ed25519 (openssl genpkey -algorithm ed25519 -out key.pem)`,
    );
  }
  return key;
}
