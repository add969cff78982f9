// What `depfence mirror --from FILE` reads: a requirements.txt (pins or ranges, `-r`/`-c` includes
// followed), a package.json, or a package-lock.json / npm-shrinkwrap.json. Anything that would make
// pip or npm fetch around the firewall (another index, find-links, direct URLs, local paths,
// editable installs, git dependencies) is refused here, before any tool runs.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { normalizePypiName, validateNpmName, validatePypiName } from '../names/index.js';
import { MirrorError, printable } from '../sources/offline-store/errors.js';
import { strictly } from '../inputs/input-error.js';
import { readPackageJson as readPackageJsonText, type DependencyField } from '../inputs/package-json.js';
import { isLockfileName, readPackageLock } from '../inputs/package-lock.js';
import { readRequirementEntries, RequirementsReadError, type RequirementEntry } from '../inputs/requirements.js';
import { readLockDocument, type LockDocument } from '../sources/model-lock.js';

export type MirrorInput =
  | { kind: 'requirements'; file: string }
  | { kind: 'models-lock'; file: string }
  | { kind: 'package.json'; file: string }
  | { kind: 'package-lock'; file: string };

export function classifyInput(file: string): MirrorInput {
  const name = basename(file);
  if (name === 'package.json') return { kind: 'package.json', file };
  if (isLockfileName(name)) return { kind: 'package-lock', file };
  if (isModelsLock(file)) return { kind: 'models-lock', file };
  if (
    name === 'pylock.toml' ||
    /^pylock\..+\.toml$/.test(name) ||
    name === 'uv.lock' ||
    name === 'yarn.lock' ||
    name === 'pnpm-lock.yaml'
  ) {
    throw new MirrorError(
      'EINPUT',
      `${file}: ${name} is not read by depfence mirror yet; export it to a requirements.txt (uv export --format requirements-txt) or use a package-lock.json`,
    );
  }
  return { kind: 'requirements', file };
}

/** A models.lock (written by depfence models lock) is JSON with `repos`; no requirements file starts with '{'. */
function isModelsLock(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false; // read (and reported) as a requirements file
  }
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const document = JSON.parse(text) as unknown;
    return typeof document === 'object' && document !== null && 'repos' in document;
  } catch {
    throw new MirrorError(
      'EINPUT',
      `${file} starts like JSON but is not valid JSON; depfence mirror reads requirements files, package.json, package-lock.json and models.lock`,
    );
  }
}

/** A models.lock's repos, checked as the firewall checks it. */
export function readModelsLock(file: string): LockDocument['repos'] {
  try {
    return readLockDocument(file).repos;
  } catch (error) {
    throw new MirrorError('EINPUT', (error as Error).message);
  }
}

/** A requirements file's entries as pip reads them (src/inputs/requirements.ts). */
function readPipEntries(file: string): RequirementEntry[] {
  try {
    return readRequirementEntries(file, process.env);
  } catch (error) {
    if (error instanceof RequirementsReadError) throw new MirrorError('EINPUT', error.message);
    throw new MirrorError('EINPUT', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readText(file: string, origin?: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const where = origin ? `${origin}: ` : '';
    throw new MirrorError('EINPUT', `${where}cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

// ── requirements.txt ────────────────────────────────────────────────────────────────────────────

export interface Requirement {
  /** PEP 503 name. */
  name: string;
  /** The exact version for `==` pins, else null. */
  pin: string | null;
  /** The line as written (without comments), given to pip. */
  line: string;
  origin: string;
}

export interface RequirementSet {
  requirements: Requirement[];
  /** Constraint files (`-c`), absolute, checked like requirement files. */
  constraints: string[];
  /** Global option lines pip may keep (`--pre`, `--prefer-binary`, `--require-hashes`…). */
  options: string[];
}

/** Options that make pip fetch around the firewall's index, or build from a source pip fetches itself. */
const BYPASS_OPTIONS = new Set([
  '--index-url',
  '--pypi-url',
  '--index',
  '--default-index',
  '--extra-index-url',
  '--find-links',
  '--trusted-host',
  '--no-index',
  '--use-feature',
  '--config-settings',
]);
/** Options pip is given along with the requirements. */
const KEPT_OPTIONS = new Set(['--pre', '--prefer-binary', '--require-hashes', '--only-binary', '--no-binary']);

/** Reads a requirements file and its includes into one flat set, refusing anything that fetches around the index. */
export function readRequirements(file: string): RequirementSet {
  const set: RequirementSet = { requirements: [], constraints: [], options: [] };
  readRequirementFile(resolve(file), set, new Set(), false);
  return set;
}

function readRequirementFile(file: string, set: RequirementSet, seen: Set<string>, constraint: boolean): void {
  if (seen.has(file)) return;
  seen.add(file);
  for (const entry of readPipEntries(file)) {
    const origin = `${file}:${entry.line}`;
    if (entry.kind === 'include') {
      const target = resolve(dirname(file), entry.value);
      const isConstraint = constraint || entry.constraint;
      if (isConstraint && !set.constraints.includes(target)) set.constraints.push(target);
      readRequirementFile(target, set, seen, isConstraint);
      continue;
    }
    if (entry.kind === 'option') {
      const { name, written, value } = entry.option;
      if (name === null || BYPASS_OPTIONS.has(name)) {
        throw new MirrorError(
          'EINPUT',
          `${origin}: "${printable(written)}" ${name === null ? 'is an option pip does not know here' : 'would make pip fetch around the firewall'}; remove it (depfence mirror resolves everything through the firewall's index)`,
        );
      }
      if (KEPT_OPTIONS.has(name) && !constraint) set.options.push(value === null ? name : `${name} ${value}`);
      continue;
    }
    const line = [entry.text, ...entry.options].join(' ');
    if (entry.editable || entry.target.kind !== 'name') {
      throw new MirrorError(
        'EINPUT',
        `${origin}: "${printable(line)}" is not a NAME[extras] SPECIFIER requirement; editable installs, direct URLs and paths cannot be vetted or mirrored`,
      );
    }
    const { name, version } = entry.target;
    const problem = validatePypiName(name);
    if (problem) throw new MirrorError('EINPUT', `${origin}: "${printable(name)}" is not a valid project name: ${problem}`);
    if (constraint) continue;
    set.requirements.push({ name: normalizePypiName(name), pin: version, line, origin });
  }
}

/** The flattened requirements file pip is given: kept options, constraints, then requirement lines. */
export function renderRequirements(set: RequirementSet, keep: (requirement: Requirement) => boolean): string {
  const lines = [
    ...set.options,
    ...set.constraints.map((file) => `-c ${file}`),
    ...set.requirements.filter(keep).map((requirement) => requirement.line),
  ];
  return `${lines.join('\n')}\n`;
}

// ── package.json ────────────────────────────────────────────────────────────────────────────────

export interface NpmDependency {
  name: string;
  range: string;
  field: string;
}

/** Fields whose packages are installed (peer dependencies are the host's to provide). */
const MIRRORED_FIELDS: ReadonlySet<DependencyField> = new Set(['dependencies', 'devDependencies', 'optionalDependencies']);

export function readPackageJson(file: string): { manifest: Record<string, unknown>; dependencies: NpmDependency[] } {
  const { manifest, dependencies } = strictly(readPackageJsonText(readText(file), file));
  const mirrored: NpmDependency[] = [];
  for (const { field, name, value, spec, line } of dependencies) {
    if (!MIRRORED_FIELDS.has(field)) continue;
    const problem = validateNpmName(name);
    if (problem)
      throw new MirrorError('EINPUT', `${file}:${line}: ${field} names "${printable(name)}", not a valid npm package name: ${problem}`);
    if (spec.kind !== 'registry' || spec.name !== name) {
      throw new MirrorError(
        'EINPUT',
        `${file}:${line}: ${field}.${name} is "${printable(value)}"; only registry version ranges can be vetted and mirrored`,
      );
    }
    mirrored.push({ name, range: value, field });
  }
  return { manifest, dependencies: mirrored };
}

// ── package-lock.json ───────────────────────────────────────────────────────────────────────────

export interface LockedPackage {
  name: string;
  version: string;
  /** The tarball URL the lockfile recorded (any registry: it is fetched through the firewall by name and version). */
  resolved: string | null;
  integrity: string | null;
  /** The lockfile key, for messages. */
  path: string;
}

export function readLockfile(file: string): LockedPackage[] {
  const seen = new Map<string, LockedPackage>();
  for (const entry of strictly(readPackageLock(readText(file), file)).entries) {
    // A link or a workspace folder is the project's own code; a bundled package comes inside its parent.
    if (entry.link || entry.inBundle || !entry.installed) continue;
    const { name, version, resolved, integrity, path } = entry;
    const where = `${file}:${entry.line} "${printable(path)}"`;
    const problem = validateNpmName(name);
    if (problem) throw new MirrorError('EINPUT', `${where}: "${printable(name)}" is not a valid npm package name: ${problem}`);
    if (version === null || !/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) {
      throw new MirrorError(
        'EINPUT',
        `${where} has no registry version (${printable(String(version))}); only registry packages can be vetted and mirrored`,
      );
    }
    if (resolved !== null && !/^https?:\/\//.test(resolved)) {
      throw new MirrorError('EINPUT', `${where} is resolved to ${printable(resolved)}; only registry tarballs can be vetted and mirrored`);
    }
    const key = `${name}@${version}`;
    const known = seen.get(key);
    if (known?.integrity && integrity && known.integrity !== integrity) {
      throw new MirrorError('EINPUT', `${file} gives two integrity values for ${key} ("${known.path}" and "${path}")`);
    }
    if (!known) seen.set(key, { name, version, resolved, integrity, path });
  }
  return [...seen.values()].sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
}
