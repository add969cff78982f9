// What the version filter last concluded about each package it saw: per version, whether it is
// hidden and why, and the tarball's URL, file name and digests the packument gave. The tarball
// routes read it (each has the package's versions judged before it serves a tarball: the public
// route itself, Verdaccio by its filter), and the packument routes log the hidden versions from it. Bounded: the least recently judged or read
// packages are forgotten first.
import type { Finding } from '../../../policy/index.js';

export interface VersionRecord {
  version: string;
  /** The tarball's file name (`name-1.0.0.tgz`), if the packument gives a tarball URL. */
  file: string | null;
  /** The tarball URL the packument gives (on the registry's origin unless a `source` finding hides the version). */
  tarball: string | null;
  /** `dist.integrity` (Subresource Integrity, e.g. `sha512-…`), if any. */
  integrity: string | null;
  /** `dist.shasum` (hex sha1), if any. */
  shasum: string | null;
  /** The deny findings that hide this version (in report mode: would hide); empty when visible. */
  hiddenBy: Finding[];
  /** Warnings that leave the version visible (a new publisher, say): logged, never hidden. */
  warnings: Finding[];
}

export interface PackageRecord {
  name: string;
  judgedAt: Date;
  versions: Map<string, VersionRecord>;
  /** Set when the filter failed and hid everything: why. */
  failure: string | null;
  /** The packument had a `latest` and no stable version at or below it survived: serve no `latest`. */
  latestRemoved: boolean;
}

export class VerdictBook {
  readonly #records = new Map<string, PackageRecord>();

  constructor(readonly capacity = 5000) {}

  set(record: PackageRecord): void {
    const key = record.name.toLowerCase();
    this.#records.delete(key);
    this.#records.set(key, record);
    if (this.#records.size > this.capacity) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
  }

  /** The record, now the most recently used (the registry process may reuse a judgement without depfence judging again). */
  get(name: string): PackageRecord | undefined {
    const key = name.toLowerCase();
    const record = this.#records.get(key);
    if (record) {
      this.#records.delete(key);
      this.#records.set(key, record);
    }
    return record;
  }

  /** The version whose tarball is `filename`. */
  versionByFile(name: string, filename: string): VersionRecord | undefined {
    const record = this.get(name);
    if (!record) return undefined;
    for (const version of record.versions.values()) if (version.file === filename) return version;
    return undefined;
  }
}
