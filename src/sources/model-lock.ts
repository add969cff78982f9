// models.lock: Hugging Face repos pinned to a commit, with every file's size and hash (the LFS
// sha256, or the git blob id of a file kept in git). Written by `depfence models lock`, read by
// the firewall when policy.models.lock names it, and by `depfence mirror` to carry the files.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import type { LockedRepo, ModelLock, RepoInfo, RepoKind } from '../policy/models/index.js';

export const LOCKFILE_VERSION = 1;

const lockedFile = z
  .strictObject({
    path: z.string().min(1),
    size: z.number().int().nonnegative(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    gitBlob: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
  })
  .refine((file) => file.sha256 !== undefined || file.gitBlob !== undefined, { error: 'a file needs a sha256 or a gitBlob' });

const lockDocument = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION),
  repos: z.array(
    z.strictObject({
      kind: z.enum(['model', 'dataset']),
      id: z.string().min(1),
      commit: z.string().regex(/^[0-9a-f]{40}$/),
      files: z.array(lockedFile),
    }),
  ),
});

export type LockDocument = z.output<typeof lockDocument>;

/** A models.lock that cannot be used: a configuration error (the firewall does not start without it). */
export class ModelLockError extends ConfigError {}

export function readModelLock(file: string): ModelLock {
  return { file, repos: readLockDocument(file).repos.map(toLockedRepo) };
}

export function readLockDocument(file: string): LockDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ModelLockError(
      `cannot read the models lock ${file} (policy.models.lock): ${(error as Error).message}; write it with depfence models lock --out ${file} REPO…`,
    );
  }
  const result = lockDocument.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ModelLockError(
      `${file} is not a models lock depfence can read (${issue?.path.join('.') ?? ''}: ${issue?.message}); rewrite it with depfence models lock`,
    );
  }
  return result.data;
}

function toLockedRepo(repo: LockDocument['repos'][number]): LockedRepo {
  return {
    kind: repo.kind,
    id: repo.id,
    commit: repo.commit,
    files: new Map(
      repo.files.map((entry) => [entry.path, { sha256: entry.sha256 ?? null, blobId: entry.gitBlob ?? null, size: entry.size }]),
    ),
  };
}

/** The lock entry for a repo at the commit its info was read at. */
export function lockEntryOf(kind: RepoKind, id: string, info: RepoInfo): LockDocument['repos'][number] {
  return {
    kind,
    id,
    commit: info.commit,
    files: info.files.map((file) => ({
      path: file.path,
      size: file.size,
      ...(file.lfsSha256 ? { sha256: file.lfsSha256 } : { gitBlob: file.blobId ?? '' }),
    })),
  };
}

export function writeModelLock(file: string, repos: LockDocument['repos']): void {
  const document: LockDocument = {
    lockfileVersion: LOCKFILE_VERSION,
    repos: [...repos].sort((a, b) => `${a.kind}:${a.id}`.localeCompare(`${b.kind}:${b.id}`)),
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
}
