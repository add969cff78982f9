// Tarballs in Verdaccio's storage, written by depfence only: Verdaccio's uplinks run with
// `cache: false`, so a tarball lands in `<storage>/<package>/<file>` only after its bytes matched
// the packument (written to a temporary file and renamed, so a reader never sees half of one).
// Verdaccio serves a stored tarball before it asks an uplink, so this is also what keeps packages
// installable while the upstream is down.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class TarballStore {
  constructor(readonly storageDir: string) {}

  /** Verdaccio's layout: `@scope/name` is two folders; the file name is used as given. */
  pathOf(name: string, filename: string): string {
    return join(this.storageDir, ...name.split('/'), filename);
  }

  has(name: string, filename: string): boolean {
    return existsSync(this.pathOf(name, filename));
  }

  save(name: string, filename: string, bytes: Buffer): void {
    const target = this.pathOf(name, filename);
    mkdirSync(join(target, '..'), { recursive: true });
    const temporary = `${target}.depfence-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(temporary, bytes);
      renameSync(temporary, target);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** Removes a stored tarball that turned out bad (tampered on disk, or stored by an older version). */
  discard(name: string, filename: string): void {
    rmSync(this.pathOf(name, filename), { force: true });
  }
}
