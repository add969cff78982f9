// A models.lock pins repos to commits and files to hashes: with one configured, a repo it does not
// list, another commit, a file it does not list, or bytes with other hashes are refused. No allow
// entry overrides these (the lock is the allow list).
import type { Finding } from '../types.js';
import type { LockedRepo, ModelLock, RepoFile, RepoKind } from './types.js';

export function lockedRepo(lock: ModelLock, kind: RepoKind, id: string): LockedRepo | null {
  return lock.repos.find((repo) => repo.kind === kind && repo.id.toLowerCase() === id.toLowerCase()) ?? null;
}

export function checkRepoLock(lock: ModelLock | null, kind: RepoKind, id: string, commit: string | null): Finding[] {
  if (!lock) return [];
  const entry = lockedRepo(lock, kind, id);
  if (!entry) {
    return [
      {
        check: 'lock',
        severity: 'deny',
        message: `${id} is not in ${lock.file} (policy.models.lock): only the repos it pins are served; add it with depfence models lock`,
        evidence: { lock: lock.file },
      },
    ];
  }
  if (commit !== null && commit !== entry.commit) {
    return [
      {
        check: 'lock',
        severity: 'deny',
        message: `${id} is pinned to commit ${entry.commit} in ${lock.file}, not ${commit}`,
        evidence: { lock: lock.file, locked: entry.commit, asked: commit },
      },
    ];
  }
  return [];
}

export function checkFileLock(lock: ModelLock | null, kind: RepoKind, id: string, file: RepoFile): Finding[] {
  if (!lock) return [];
  const locked = lockedRepo(lock, kind, id)?.files.get(file.path);
  if (!locked)
    return [
      {
        check: 'lock',
        severity: 'deny',
        message: `${file.path} of ${id} is not in ${lock.file}, so it is not served`,
        evidence: { lock: lock.file, path: file.path },
      },
    ];
  const same =
    locked.size === file.size &&
    (locked.sha256 ?? null) === (file.lfsSha256 ?? null) &&
    (locked.sha256 !== null || locked.blobId === file.blobId);
  if (same) return [];
  return [
    {
      check: 'lock',
      severity: 'deny',
      message: `${file.path} of ${id} is not the file ${lock.file} pins (${locked.sha256 ? `sha256 ${locked.sha256}` : `git blob ${locked.blobId}`}, ${locked.size} bytes)`,
      evidence: { lock: lock.file, path: file.path, locked, listed: { sha256: file.lfsSha256, blobId: file.blobId, size: file.size } },
    },
  ];
}
