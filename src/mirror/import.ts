// `depfence import`: a bundle into the offline store, all or nothing. In order: the detached
// signature (when a key is given) against the bundle's sha256; then the archive, every entry
// checked and every artifact hashed against the manifest while it is written into a staging
// folder inside the data dir; then the next store generation is built from the verified files
// and made current in one rename. The sha256 the signature covers is the sha256 of the bytes
// actually read, so a bundle swapped between the two steps is refused too.
import { readFile, stat } from 'node:fs/promises';
import { readBundle } from './bundle-read.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import { fileSha256 } from './hashing.js';
import { MAX_MANIFEST_BYTES, type BundleManifest, type ManifestArtifact } from '../protocol/bundle/manifest.js';
import { SIGNATURE_SUFFIX, verifyBundleSignature } from './signature.js';
import { beginImport } from './store-commit.js';

export interface ImportOptions {
  bundle: string;
  dataDir: string;
  /** mirror.maxBundleBytes */
  maxBytes: number;
  /** A PEM ed25519 public key: the bundle must carry a valid signature by it. */
  verifyKey?: string | undefined;
  /** Default: BUNDLE.sig beside the bundle. */
  signatureFile?: string | undefined;
  now?: Date;
}

export interface ImportReport {
  sha256: string;
  manifest: BundleManifest;
  /** false: the store already held everything (an idempotent re-import). */
  changed: boolean;
  alreadyImported: boolean;
  added: ManifestArtifact[];
  /** Hugging Face model files new to the store. */
  addedModelFiles: number;
  signatureVerified: boolean;
}

export async function importBundle(options: ImportOptions): Promise<ImportReport> {
  const info = await stat(options.bundle).catch((error: unknown) => {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new MirrorError('EBUNDLE', `cannot read the bundle ${options.bundle}: ${code ?? message}`);
  });
  if (!info.isFile()) throw new MirrorError('EBUNDLE', `${options.bundle} is not a file`);
  if (info.size > options.maxBytes + MAX_MANIFEST_BYTES) {
    throw new MirrorError(
      'EBUNDLE_SIZE',
      `the bundle ${options.bundle} is ${info.size} bytes, more than mirror.maxBundleBytes (${options.maxBytes}) allows`,
    );
  }

  let signedSha256: string | null = null;
  if (options.verifyKey) {
    const signatureFile = options.signatureFile ?? `${options.bundle}${SIGNATURE_SUFFIX}`;
    const text = await readFile(signatureFile, 'utf8').catch((error: unknown) => {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new MirrorError(
        'ESIGNATURE',
        `--verify-key was given but the signature ${signatureFile} cannot be read (${code ?? message}); nothing was imported`,
      );
    });
    signedSha256 = await fileSha256(options.bundle);
    verifyBundleSignature(text, signedSha256, options.verifyKey, signatureFile);
  }

  const transaction = await beginImport(options.dataDir);
  try {
    const verified = await readBundle(options.bundle, transaction.incoming, { maxBytes: options.maxBytes });
    if (signedSha256 !== null && verified.sha256 !== signedSha256) {
      throw new MirrorError(
        'ESIGNATURE',
        `the bundle ${options.bundle} changed while it was being imported (its sha256 is no longer the signed one); nothing was imported`,
      );
    }
    const summary = await transaction.build({
      sha256: verified.sha256,
      manifest: verified.manifest,
      files: verified.files,
      importedAt: options.now ?? new Date(),
    });
    if (summary.changed) await transaction.commit();
    return {
      sha256: verified.sha256,
      manifest: verified.manifest,
      changed: summary.changed,
      alreadyImported: summary.alreadyImported,
      added: summary.addedArtifacts,
      addedModelFiles: summary.addedModelFiles,
      signatureVerified: signedSha256 !== null,
    };
  } finally {
    await transaction.close();
  }
}
