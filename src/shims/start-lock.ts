// The lock that keeps two shims from starting two firewalls for one data directory: a file
// created exclusively (O_EXCL), holding the owner's pid. A lock whose owner is gone, or that is
// older than any start could take, is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { processIsAlive } from '../sources/process-alive.js';

export interface StartLock {
  release(): void;
}

export function startLockPath(dataDir: string): string {
  return join(dataDir, 'firewall-start.lock');
}

/** Takes the lock, or returns null when another live process holds it. */
export function tryStartLock(dataDir: string, staleAfterMs: number): StartLock | null {
  mkdirSync(dataDir, { recursive: true });
  const path = startLockPath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => releaseIfOurs(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!isStale(path, staleAfterMs)) return null;
      rmSync(path, { force: true });
    }
  }
  return null;
}

function releaseIfOurs(path: string): void {
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === process.pid) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

function isStale(path: string, staleAfterMs: number): boolean {
  try {
    const owner = Number(readFileSync(path, 'utf8').trim());
    if (Date.now() - statSync(path).mtimeMs > staleAfterMs) return true;
    return Number.isInteger(owner) && owner > 0 && !processIsAlive(owner);
  } catch {
    return false; // just released, or being written: not stale, try again later
  }
}
