// The bundle manifest (`manifest.json`, the first entry of every bundle): what the bundle holds,
// how each artifact was vetted, and what the offline side needs to serve it (PyPI simple-page
// fields, npm version documents, the facts the policy reads). Versioned: a reader refuses a
// format it does not know. Parsed strictly, because a bundle is untrusted input until verified.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';
import { z } from 'zod';
import { normalizePypiName, validateNpmName, validatePypiName } from '../../names/index.js';
import { validRepoId } from '../huggingface/repo-id.js';
import { repoInfoDocument } from '../huggingface/repo-info.js';

export const MANIFEST_FILE = 'manifest.json';
export const BUNDLE_FORMAT = 'depfence-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
/** manifest.json larger than this is refused before it is parsed. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;
/** Every artifact sits in the archive at `artifacts/<its sha256>`: no name from upstream becomes a path. */
export function artifactPath(sha256: string): string {
  return `artifacts/${sha256}`;
}
export const ARTIFACT_PATH = /^artifacts\/([0-9a-f]{64})$/;

const sha256 = z.string().regex(SHA256, 'a lowercase hex sha256');
const size = z.number().int().nonnegative();
const isoTime = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'an ISO 8601 time');
const safeVersion = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/, 'a version of letters, digits and . + ! _ -');
const safeFilename = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+!~-]*$/, 'a file name of letters, digits and . _ + ! ~ -')
  .refine((text) => !text.includes('..'), "a file name without '..'");

const pypiName = z
  .string()
  .refine((name) => validatePypiName(name) === null && normalizePypiName(name) === name, 'a PEP 503 normalised project name');
const npmName = z.string().refine((name) => validateNpmName(name) === null, 'a valid npm package name');

const finding = z.object({
  check: z.string(),
  severity: z.enum(['deny', 'warn', 'info']),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

const decision = z.object({
  ecosystem: z.enum(['npm', 'pypi', 'huggingface']),
  name: z.string(),
  version: z.string().nullable(),
  decision: z.enum(['allow', 'warn', 'deny']),
  findings: z.array(finding),
});

/** What the policy read when the package was vetted, kept so the offline side can judge it again. */
const recordedFacts = z.object({
  recordedAt: isoTime,
  /** Where the metadata came from (the registry, at mirror time). */
  source: z.string(),
  created: isoTime.nullable(),
  /** Publish (npm) or earliest upload (PyPI) time of each mirrored version. */
  versions: z.record(z.string(), isoTime),
  downloads: z.union([z.object({ exactly: size }), z.object({ fewerThan: size })]).nullable(),
  downloadsSource: z.string().nullable(),
});

const coreMetadata = z.object({ sha256, size });

const pypiArtifact = z.object({
  ecosystem: z.literal('pypi'),
  name: pypiName,
  version: safeVersion,
  filename: safeFilename,
  sha256,
  size,
  upstreamUrl: z.string(),
  requiresPython: z.string().nullable(),
  uploadTime: isoTime,
  yanked: z.union([z.boolean(), z.string()]),
  /** PEP 658 metadata file, stored beside the distribution. */
  coreMetadata: coreMetadata.nullable(),
  decision,
});

const npmArtifact = z.object({
  ecosystem: z.literal('npm'),
  name: npmName,
  version: safeVersion,
  filename: safeFilename.refine((file) => file.endsWith('.tgz'), 'a .tgz file name'),
  sha256,
  /** Subresource Integrity, sha512 (what lockfiles record). */
  integrity: z.string().regex(/^sha512-[A-Za-z0-9+/]+={0,2}$/, 'a sha512 integrity string'),
  size,
  upstreamUrl: z.string(),
  published: isoTime,
  /** The version's document from the packument (dependencies, bin, engines…, dist). */
  manifest: z.record(z.string(), z.unknown()),
  decision,
});

export const artifactSchema = z.discriminatedUnion('ecosystem', [pypiArtifact, npmArtifact]);

const packageRecord = z.object({
  ecosystem: z.enum(['npm', 'pypi']),
  name: z.string(),
  origin: z.enum(['public', 'internal']),
  /** The package-level decision it passed. */
  decision,
  facts: recordedFacts,
  /** npm only: the upstream dist-tags that point at mirrored versions. */
  distTags: z.record(z.string(), z.string()).optional(),
});

const skipped = z.object({
  ecosystem: z.enum(['npm', 'pypi', 'huggingface']),
  /** A package, or a Hugging Face repo (`datasets/` before a dataset's id). */
  name: z.string(),
  /** A version, or a repo's commit. */
  version: z.string().nullable(),
  /** A repo's file, when only that file was left out. */
  file: z.string().optional(),
  reasons: z.array(z.string()),
});

/** A path inside a Hugging Face repo, as /resolve serves it: no empty, '.' or '..' segment, no backslash or control character. */
const repoPath = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (path) => path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..' && !/[\\\0-\x1f]/.test(segment)),
    'a repo file path without empty, . or .. segments',
  );

const modelFile = z.object({
  path: repoPath,
  size,
  /** sha256 of the bytes (the LFS sha256, or computed while mirroring for a file kept in git). */
  sha256,
  lfsSha256: sha256.nullable(),
  blobId: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable(),
});

/** A Hugging Face repo at one commit, carried from a models.lock: the Hub's information document and the files mirrored. */
const modelRepo = z.object({
  kind: z.enum(['model', 'dataset']),
  id: z.string().refine((id) => validRepoId(id.split('/')), 'a Hugging Face repo id (org/name)'),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  recordedAt: isoTime,
  /** The Hub's repo information at the commit (served offline as /api/models/{repo}). */
  info: repoInfoDocument,
  /** The repo-level decision it passed. */
  decision,
  files: z.array(modelFile),
});

/** The threat-data index the bundle was vetted with; `index` when it travels in the bundle (--with-feeds). */
const threatData = z.object({
  builtAt: isoTime,
  checkedAt: isoTime,
  sources: z.object({ npm: z.string(), pypi: z.string() }),
  index: z.object({ sha256, size }).nullable(),
});

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.number().int(),
  createdAt: isoTime,
  depfenceVersion: z.string(),
  /** The settings the packages were vetted under, and a digest of them. */
  policy: z.object({ digest: sha256, settings: z.record(z.string(), z.unknown()) }),
  inputs: z.array(z.object({ kind: z.string(), file: z.string() })),
  target: z.object({ pythonVersion: z.string().nullable(), platforms: z.array(z.string()) }),
  packages: z.array(packageRecord),
  artifacts: z.array(artifactSchema),
  skipped: z.array(skipped),
  /** Absent in bundles made before threat data existed; null when there was no index. */
  threatData: threatData.nullable().optional(),
  /** Hugging Face repos from a models.lock; absent in bundles made before models were mirrored. */
  models: z.array(modelRepo).optional(),
});

export type BundleManifest = z.output<typeof manifestSchema>;
export type ManifestArtifact = z.output<typeof artifactSchema>;
export type PypiArtifact = Extract<ManifestArtifact, { ecosystem: 'pypi' }>;
export type NpmArtifact = Extract<ManifestArtifact, { ecosystem: 'npm' }>;
export type PackageRecord = z.output<typeof packageRecord>;
export type RecordedFacts = z.output<typeof recordedFacts>;
export type SkippedPackage = z.output<typeof skipped>;
export type ModelRepoRecord = z.output<typeof modelRepo>;
export type ModelFileRecord = z.output<typeof modelFile>;

/** One file the archive holds besides the manifest: its path, hash and size. */
export interface ArchiveFile {
  path: string;
  sha256: string;
  size: number;
}

/** Every file the manifest says the archive holds (a distribution and its core metadata each count). */
export function archiveFiles(manifest: BundleManifest): Map<string, ArchiveFile> {
  const files = new Map<string, ArchiveFile>();
  const add = (hash: string, bytes: number) => files.set(artifactPath(hash), { path: artifactPath(hash), sha256: hash, size: bytes });
  for (const artifact of manifest.artifacts) {
    add(artifact.sha256, artifact.size);
    if (artifact.ecosystem === 'pypi' && artifact.coreMetadata) add(artifact.coreMetadata.sha256, artifact.coreMetadata.size);
  }
  if (manifest.threatData?.index) add(manifest.threatData.index.sha256, manifest.threatData.index.size);
  for (const repo of manifest.models ?? []) for (const file of repo.files) add(file.sha256, file.size);
  return files;
}

export class ManifestError extends DepfenceError<'EMANIFEST'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EMANIFEST', message, options);
  }
}

/** Parses and checks manifest.json; throws ManifestError with every problem named. */
export function parseManifest(text: string): BundleManifest {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${MANIFEST_FILE} is not JSON: ${(error as Error).message}`);
  }
  const format = (document as { format?: unknown; formatVersion?: unknown } | null) ?? {};
  if (format.format !== BUNDLE_FORMAT)
    throw new ManifestError(`${MANIFEST_FILE} is not a depfence bundle manifest (format is ${JSON.stringify(format.format)})`);
  if (format.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw new ManifestError(
      `the bundle has format version ${JSON.stringify(format.formatVersion)}; this depfence reads version ${BUNDLE_FORMAT_VERSION} (upgrade depfence or make the bundle with this version)`,
    );
  }
  const parsed = manifestSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new ManifestError(`${MANIFEST_FILE} is not valid: ${problems.join('; ')}`);
  }
  checkConsistency(parsed.data);
  return parsed.data;
}

/** Cross-entry rules a schema cannot say: one entry per file, one file per hash, a record per package. */
function checkConsistency(manifest: BundleManifest): void {
  const files = new Set<string>();
  const sizes = new Map<string, number>();
  const packages = new Set(manifest.packages.map((record) => `${record.ecosystem}:${record.name}`));
  const sameSize = (hash: string, bytes: number) => {
    const known = sizes.get(hash);
    if (known !== undefined && known !== bytes) throw new ManifestError(`${MANIFEST_FILE} gives two sizes for the artifact ${hash}`);
    sizes.set(hash, bytes);
  };
  for (const artifact of manifest.artifacts) {
    const key = `${artifact.ecosystem}:${artifact.name}:${artifact.filename}`;
    if (files.has(key)) throw new ManifestError(`${MANIFEST_FILE} lists ${artifact.filename} of ${artifact.name} twice`);
    files.add(key);
    if (!packages.has(`${artifact.ecosystem}:${artifact.name}`))
      throw new ManifestError(`${MANIFEST_FILE} has no package record for ${artifact.ecosystem}:${artifact.name}`);
    sameSize(artifact.sha256, artifact.size);
    if (artifact.ecosystem === 'pypi' && artifact.coreMetadata) sameSize(artifact.coreMetadata.sha256, artifact.coreMetadata.size);
  }
  const repos = new Set<string>();
  for (const repo of manifest.models ?? []) {
    const key = `${repo.kind}:${repo.id.toLowerCase()}@${repo.commit}`;
    if (repos.has(key)) throw new ManifestError(`${MANIFEST_FILE} lists the ${repo.kind} ${repo.id} at ${repo.commit} twice`);
    repos.add(key);
    if (repo.info.sha !== repo.commit)
      throw new ManifestError(`${MANIFEST_FILE} gives ${repo.id} the commit ${repo.commit} but information for ${repo.info.sha}`);
    const paths = new Set<string>();
    for (const file of repo.files) {
      if (paths.has(file.path)) throw new ManifestError(`${MANIFEST_FILE} lists ${file.path} of ${repo.id} twice`);
      paths.add(file.path);
      const listed = repo.info.siblings.find((sibling) => sibling.rfilename === file.path);
      const sameHashes =
        listed &&
        (listed.lfs?.sha256 ?? null) === file.lfsSha256 &&
        (listed.blobId ?? null) === file.blobId &&
        (file.lfsSha256 === null || file.lfsSha256 === file.sha256);
      if (!sameHashes)
        throw new ManifestError(`${MANIFEST_FILE} lists ${file.path} of ${repo.id} with hashes its repo information does not give`);
      sameSize(file.sha256, file.size);
    }
  }
}
