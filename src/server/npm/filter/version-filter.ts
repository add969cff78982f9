// depfence's version verdicts over a packument: for the public packages depfence serves itself
// (public/packuments.ts), and the work behind the filter Verdaccio runs (in the registry process,
// see remote-filter.ts) on every packument of an internal package it reads: cache hits, fresh
// fetches, stale copies while the uplink is down, and the metadata it checks before serving a tarball.
//   judgeVersions (+ unservableVersions) → which versions to hide, recorded in the verdict book
// In report mode the policy hides nothing (the verdicts are still recorded and logged by the
// routes); a version whose tarball is on a host depfence does not fetch from is hidden in any mode.
//
// This never throws: any failure hides every version (enforce mode), is logged at warn and
// recorded, and the routes refuse the package's packument and tarballs with the reason.
import type { PolicyContext } from '../../../policy/index.js';
import { fixDistTags } from './dist-tags.js';
import { hiddenVersions, judgeVersions } from './judge.js';
import { asPackument, type Packument } from './packument.js';
import { isRecord, tarballFilename, tarballUrl } from '../../../protocol/npm/packument.js';
import { unservableVersions } from './tarball-host.js';
import { unreadableFinding, unreadableVersions } from './unreadable-versions.js';
import { applyJudgement } from './without-versions.js';
import type { PackageRecord, VerdictBook, VersionRecord } from './verdict-book.js';

export interface VersionFilterOptions {
  context: PolicyContext;
  now: () => Date;
  /** false in report mode: judge and record, hide nothing. */
  enforce: boolean;
  book: VerdictBook;
  warn: (message: string) => void;
  /** Why a tarball URL of the named package is not fetched, or null (see tarball-host.ts); hidden in every mode. */
  tarballProblem?: (packageName: string, url: string) => string | null;
  /** Versions of the named package the registry listed but depfence could not read (left out before the filter saw it). */
  unreadableUpstream?: (packageName: string) => Readonly<Record<string, string>> | undefined;
}

export interface PackumentJudgement {
  /** The versions to hide ('all' when the judging failed in enforce mode). */
  hidden: ReadonlySet<string> | 'all';
  /** Why the judging failed, if it did. */
  failure: string | null;
}

export function judgePackument(manifest: unknown, options: VersionFilterOptions): PackumentJudgement {
  try {
    const packument = asPackument(manifest);
    const now = options.now();
    const verdicts = judgeVersions(packument, options.context, now);
    const problemOf = options.tarballProblem;
    const unservable = new Map([
      ...unservableVersions(packument, problemOf && ((url) => problemOf(packument.name, url))),
      ...unreadableVersions(packument),
    ]);
    // Report mode hides nothing the policy decided, but a version depfence cannot read, or whose
    // tarball it will not fetch, stays hidden.
    const hidden = new Set([...(options.enforce ? hiddenVersions(verdicts) : []), ...unservable.keys()]);
    const remaining = new Set(Object.keys(packument.versions).filter((version) => !hidden.has(version)));
    const { latestRemoved } = fixDistTags(packument['dist-tags'], remaining);
    const record = recordOf(packument, now, latestRemoved, (version) => ({
      hiddenBy: [...(verdicts.get(version)?.findings ?? []), ...(unservable.has(version) ? [unservable.get(version)!] : [])],
      warnings: verdicts.get(version)?.warnings ?? [],
    }));
    // Versions the registry lists but depfence could not read never reached this packument: recorded, so a request for one says why.
    for (const [version, problem] of Object.entries(options.unreadableUpstream?.(packument.name) ?? {})) {
      if (!record.versions.has(version))
        record.versions.set(version, {
          version,
          file: null,
          tarball: null,
          integrity: null,
          shasum: null,
          hiddenBy: [unreadableFinding(packument.name, version, problem)],
          warnings: [],
        });
    }
    options.book.set(record);
    return { hidden, failure: null };
  } catch (error) {
    return failClosed(manifest, error, options);
  }
}

/** The whole pipeline in one process: the judgement applied as the registry process applies it (remote-filter.ts). */
export function filterPackument(manifest: unknown, options: VersionFilterOptions): unknown {
  return applyJudgement(manifest, judgePackument(manifest, options).hidden);
}

function recordOf(
  packument: Packument,
  judgedAt: Date,
  latestRemoved: boolean,
  findingsOf: (version: string) => Pick<VersionRecord, 'hiddenBy' | 'warnings'>,
): PackageRecord {
  const versions = new Map<string, VersionRecord>();
  for (const [version, manifest] of Object.entries(packument.versions)) {
    const dist: Record<string, unknown> = isRecord(manifest) && isRecord(manifest.dist) ? manifest.dist : {};
    versions.set(version, {
      version,
      file: tarballFilename(manifest),
      tarball: tarballUrl(manifest),
      integrity: typeof dist.integrity === 'string' ? dist.integrity : null,
      shasum: typeof dist.shasum === 'string' ? dist.shasum : null,
      ...findingsOf(version),
    });
  }
  return { name: packument.name, judgedAt, versions, failure: null, latestRemoved };
}

function failClosed(manifest: unknown, error: unknown, options: VersionFilterOptions): PackumentJudgement {
  const reason = `depfence's version filter failed (${error instanceof Error ? error.message : String(error)}), so every version is hidden`;
  const name = typeof (manifest as { name?: unknown } | null)?.name === 'string' ? (manifest as { name: string }).name : null;
  options.warn(`${name ?? 'a package'}: ${reason}`);
  if (name !== null) options.book.set({ name, judgedAt: options.now(), versions: new Map(), failure: reason, latestRemoved: false });
  // Report mode lets everything through, this too (the warning says what enforce mode would do).
  return { hidden: options.enforce ? 'all' : new Set(), failure: reason };
}
