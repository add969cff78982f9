// `depfence pin` for package-lock.json / npm-shrinkwrap.json (lockfileVersion 2 and 3): move each
// pin the age gate holds back to the newest version allowed now that every declared range on it
// accepts, and rewrite the entry from that version's manifest. Refuses (throws PinRefusal) when no
// such version exists or when the new version's own dependencies are not in the lockfile. Pure:
// the packuments and the policy's answers come in, a new lockfile object goes out.
import semver from 'semver';
import ssri from 'ssri';
import type { VersionManifest } from '../../protocol/npm/packument.js';
import { isRecord } from '../../protocol/npm/packument.js';
import type { LockfileEntry } from '../../inputs/package-lock.js';
import { PinRefusal, type HeldPin, type PinChange, type VersionChooser } from './types.js';

type LockEntry = Record<string, unknown> & { version?: string; name?: string; link?: boolean; resolved?: string };
export type Lockfile = Record<string, unknown> & { lockfileVersion?: number; packages: Record<string, LockEntry> };

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;
/** Lockfile entry fields copied from the new version's manifest (absent there: removed). */
const MANIFEST_FIELDS = [
  ...DEPENDENCY_FIELDS,
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'license',
  'funding',
  'deprecated',
] as const;

export interface LockedVersion {
  path: string;
  name: string;
  version: string;
}

/** Every installed (not linked) entry with its name and version. */
export function lockedVersions(entries: readonly LockfileEntry[]): LockedVersion[] {
  return entries.flatMap(({ path, name, version, link }) => (link || version === null ? [] : [{ path, name, version }]));
}

/** The lockfile with `held` moved to allowed versions, and the changes made. Throws PinRefusal. */
export function pinLockfile(
  lock: Lockfile,
  held: readonly HeldPin[],
  choose: VersionChooser,
  manifestOf: (name: string, version: string) => VersionManifest | undefined,
): { lockfile: Lockfile; changes: PinChange[] } {
  const packages: Record<string, LockEntry> = { ...lock.packages };
  const changes: PinChange[] = [];
  for (const pin of held) {
    const ranges = declaredRanges(packages, pin.path);
    const accepts = (version: string) => ranges.every(({ range }) => satisfies(version, range));
    const chosen = choose(pin, accepts);
    if (chosen === null) {
      const declared = ranges.map(({ range, by }) => `${range} (${by || 'the project'})`).join(', ') || 'no declared range';
      throw new PinRefusal(
        `${pin.name} ${pin.version} (${pin.path}) is held back and no version allowed now satisfies ${declared}; wait until ${pin.allowedFrom}, or change the declared range`,
      );
    }
    const manifest = manifestOf(pin.name, chosen);
    if (!manifest) throw new PinRefusal(`${pin.name} ${chosen} is not in the registry's metadata any more; run depfence pin again`);
    packages[pin.path] = rewrittenEntry(packages[pin.path]!, pin, chosen, manifest);
    changes.push({ where: pin.path, name: pin.name, from: pin.version, to: chosen, reason: pin.reason });
  }
  for (const change of changes) checkDependenciesPresent(packages, change);
  const lockfile: Lockfile = { ...lock, packages };
  if (isRecord(lock.dependencies)) lockfile.dependencies = withLegacyTree(lock.dependencies, changes, packages);
  return { lockfile, changes };
}

function rewrittenEntry(entry: LockEntry, pin: HeldPin, version: string, manifest: VersionManifest): LockEntry {
  const next: LockEntry = { ...entry, version };
  for (const field of MANIFEST_FIELDS) {
    if (manifest[field] === undefined || (isRecord(manifest[field]) && Object.keys(manifest[field]).length === 0)) delete next[field];
    else next[field] = manifest[field];
  }
  const tarball = manifest.dist?.tarball;
  if (typeof entry.resolved === 'string') next.resolved = movedTarballUrl(entry.resolved, pin.version, version, tarball);
  const integrity = integrityOf(manifest);
  if (integrity === null)
    throw new PinRefusal(
      `${pin.name} ${version} has neither dist.integrity nor dist.shasum in the registry's metadata, so its lockfile entry could not be verified`,
    );
  next.integrity = integrity;
  return next;
}

/** The same host and path as before, with the new version's file name (the registry's own URL if the old one had another shape). */
function movedTarballUrl(resolved: string, from: string, to: string, tarball: string | undefined): string {
  const suffix = `-${from}.tgz`;
  if (resolved.endsWith(suffix)) return `${resolved.slice(0, -suffix.length)}-${to}.tgz`;
  if (tarball === undefined)
    throw new PinRefusal(
      `the lockfile's tarball URL ${resolved} does not end in the version, and the registry gives no tarball URL for ${to}`,
    );
  return tarball;
}

function integrityOf(manifest: VersionManifest): string | null {
  if (typeof manifest.dist?.integrity === 'string') return manifest.dist.integrity;
  if (typeof manifest.dist?.shasum === 'string' && /^[0-9a-f]{40}$/i.test(manifest.dist.shasum))
    return ssri.fromHex(manifest.dist.shasum.toLowerCase(), 'sha1').toString();
  return null;
}

interface DeclaredRange {
  range: string;
  /** The lockfile path of the package that declares it ('' for the project). */
  by: string;
}

/**
 * The ranges on the package at `path` from every entry that resolves to it (npm's node_modules
 * lookup, by the folder name, so aliases count: `"b": "npm:real@^1"` is a range on real).
 */
function declaredRanges(packages: Record<string, LockEntry>, path: string): DeclaredRange[] {
  const folder = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const ranges: DeclaredRange[] = [];
  for (const [by, entry] of Object.entries(packages)) {
    for (const field of [...DEPENDENCY_FIELDS, 'devDependencies'] as const) {
      if (field === 'devDependencies' && by !== '') continue;
      const deps = entry[field];
      if (!isRecord(deps) || typeof deps[folder] !== 'string') continue;
      if (resolve(packages, by, folder) === path) ranges.push({ range: withoutAlias(deps[folder]), by });
    }
  }
  return ranges;
}

function withoutAlias(range: string): string {
  return range.startsWith('npm:') ? range.slice(range.lastIndexOf('@') + 1) : range;
}

/** Every dependency of the changed entry's new version must be in the lockfile, at a version its range accepts. */
function checkDependenciesPresent(packages: Record<string, LockEntry>, change: PinChange): void {
  const entry = packages[change.where]!;
  for (const field of ['dependencies', 'optionalDependencies'] as const) {
    const deps = entry[field];
    if (!isRecord(deps)) continue;
    for (const [dep, range] of Object.entries(deps)) {
      const at = resolve(packages, change.where, dep);
      const version = at === null ? undefined : packages[at]?.version;
      if (version === undefined) {
        if (field === 'optionalDependencies') continue;
        throw new PinRefusal(
          `${change.name} ${change.to} depends on ${dep}, which the lockfile does not have; run npm install ${change.name}@${change.to} instead`,
        );
      }
      if (typeof range === 'string' && !satisfies(version, withoutAlias(range))) {
        throw new PinRefusal(
          `${change.name} ${change.to} needs ${dep} ${range}, but the lockfile has ${dep} ${version}; run npm install ${change.name}@${change.to} instead`,
        );
      }
    }
  }
}

/** Where npm finds `name` from the package at `from`: its own node_modules, then each ancestor's. */
function resolve(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** lockfileVersion 2 keeps the old nested `dependencies` tree too: move its entries in step. */
function withLegacyTree(
  tree: Record<string, unknown>,
  changes: readonly PinChange[],
  packages: Record<string, LockEntry>,
): Record<string, unknown> {
  const copy = structuredClone(tree);
  for (const change of changes) {
    const names = change.where.split(/(?:^|\/)node_modules\//).filter((part) => part !== '');
    let level: Record<string, unknown> | undefined = copy;
    let node: Record<string, unknown> | undefined;
    for (const name of names) {
      const next: unknown = level?.[name];
      node = isRecord(next) ? next : undefined;
      level = node && isRecord(node.dependencies) ? node.dependencies : undefined;
    }
    if (!node) continue;
    const entry = packages[change.where]!;
    node.version = change.to;
    if (typeof entry.resolved === 'string') node.resolved = entry.resolved;
    node.integrity = entry.integrity;
    const requires = {
      ...(isRecord(entry.dependencies) ? entry.dependencies : {}),
      ...(isRecord(entry.optionalDependencies) ? entry.optionalDependencies : {}),
    };
    if (Object.keys(requires).length > 0) node.requires = requires;
    else delete node.requires;
  }
  return copy;
}

/** Ranges that are not semver (tags, URLs, aliases) accept nothing: pin refuses rather than guess. */
function satisfies(version: string, range: string): boolean {
  if (range === '' || range === '*' || range === 'latest') return true;
  return semver.validRange(range) !== null && semver.satisfies(version, range);
}
