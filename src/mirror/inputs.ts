// What `depfence mirror --from FILE` reads: a requirements.txt (pins or ranges, `-r`/`-c` includes
// followed), a package.json, or a package-lock.json / npm-shrinkwrap.json. Anything that would make
// pip or npm fetch around the firewall (another index, find-links, direct URLs, local paths,
// editable installs, git dependencies) is refused here, before any tool runs.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { normalizePypiName, validateNpmName, validatePypiName } from '../names/index.js';
import { MirrorError, printable } from '../sources/offline-store/errors.js';
import { readNpmDependency } from '../inputs/npm-spec.js';
import { readRequirementsFile, RequirementsReadError, type RequirementLine } from '../inputs/requirements.js';
import { readLockDocument, type LockDocument } from '../sources/model-lock.js';

export type MirrorInput =
  | { kind: 'requirements'; file: string }
  | { kind: 'models-lock'; file: string }
  | { kind: 'package.json'; file: string }
  | { kind: 'package-lock'; file: string };

export function classifyInput(file: string): MirrorInput {
  const name = basename(file);
  if (name === 'package.json') return { kind: 'package.json', file };
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return { kind: 'package-lock', file };
  if (isModelsLock(file)) return { kind: 'models-lock', file };
  if (name === 'pylock.toml' || /^pylock\..+\.toml$/.test(name) || name === 'uv.lock' || name === 'yarn.lock' || name === 'pnpm-lock.yaml') {
    throw new MirrorError('EINPUT', `${file}: ${name} is not read by depfence mirror yet; export it to a requirements.txt (uv export --format requirements-txt) or use a package-lock.json`);
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
    throw new MirrorError('EINPUT', `${file} starts like JSON but is not valid JSON; depfence mirror reads requirements files, package.json, package-lock.json and models.lock`);
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

/** A requirements file's lines as pip reads them (src/inputs/requirements.ts). */
function readPipLines(file: string): RequirementLine[] {
  try {
    return readRequirementsFile(file, process.env);
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

const BYPASS_OPTIONS = /^(-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|-e|--editable|--no-index|--use-feature|--config-settings)\b/;
const KEPT_OPTIONS = /^(--pre|--prefer-binary|--require-hashes|--only-binary|--no-binary)\b/;
const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/;

/** Reads a requirements file and its includes into one flat set, refusing anything that fetches around the index. */
export function readRequirements(file: string): RequirementSet {
  const set: RequirementSet = { requirements: [], constraints: [], options: [] };
  readRequirementFile(resolve(file), set, new Set(), false);
  return set;
}

function readRequirementFile(file: string, set: RequirementSet, seen: Set<string>, constraint: boolean): void {
  if (seen.has(file)) return;
  seen.add(file);
  for (const parsed of readPipLines(file)) {
    const line = [parsed.requirement, ...parsed.options].filter(Boolean).join(' ');
    const origin = `${file}:${parsed.number}`;
    const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)$/.exec(line);
    if (include) {
      const target = resolve(dirname(file), include[2]!);
      const isConstraint = constraint || include[1] === '-c' || include[1] === '--constraint';
      if (isConstraint && !set.constraints.includes(target)) set.constraints.push(target);
      readRequirementFile(target, set, seen, isConstraint);
      continue;
    }
    if (BYPASS_OPTIONS.test(line)) {
      throw new MirrorError('EINPUT', `${origin}: "${printable(line)}" would make pip fetch around the firewall; remove it (depfence mirror resolves everything through the firewall's index)`);
    }
    if (line.startsWith('-')) {
      if (KEPT_OPTIONS.test(line) && !constraint) set.options.push(line);
      continue;
    }
    const match = REQUIREMENT.exec(line);
    if (!match || /:\/\//.test(line) || /^\.{0,2}\//.test(line) || /\s@\s|^[^;]*@/.test(line.split(';', 1)[0]!.replace(/\s--hash=\S+/g, ''))) {
      throw new MirrorError('EINPUT', `${origin}: "${printable(line)}" is not a NAME[extras] SPECIFIER requirement; direct URLs and paths cannot be vetted or mirrored`);
    }
    const name = match[1]!;
    const problem = validatePypiName(name);
    if (problem) throw new MirrorError('EINPUT', `${origin}: "${printable(name)}" is not a valid project name: ${problem}`);
    if (constraint) continue;
    const specifier = match[3]!.split(';', 1)[0]!.replace(/\s--hash=\S+/g, '').trim();
    const pin = /^===?\s*([^\s,*]+)$/.exec(specifier);
    set.requirements.push({ name: normalizePypiName(name), pin: pin ? pin[1]! : null, line, origin });
  }
}

/** The flattened requirements file pip is given: kept options, constraints, then requirement lines. */
export function renderRequirements(set: RequirementSet, keep: (requirement: Requirement) => boolean): string {
  const lines = [...set.options, ...set.constraints.map((file) => `-c ${file}`), ...set.requirements.filter(keep).map((requirement) => requirement.line)];
  return `${lines.join('\n')}\n`;
}

// ── package.json ────────────────────────────────────────────────────────────────────────────────

export interface NpmDependency {
  name: string;
  range: string;
  field: string;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

export function readPackageJson(file: string): { manifest: Record<string, unknown>; dependencies: NpmDependency[] } {
  const manifest = parseJson(readText(file), file) as Record<string, unknown>;
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) throw new MirrorError('EINPUT', `${file} is not a package.json object`);
  const dependencies: NpmDependency[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (deps === undefined) continue;
    if (typeof deps !== 'object' || deps === null) throw new MirrorError('EINPUT', `${file}: "${field}" must be an object of name: range`);
    for (const [name, range] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof range !== 'string') throw new MirrorError('EINPUT', `${file}: ${field}.${name} must be a version range string`);
      const problem = validateNpmName(name);
      if (problem) throw new MirrorError('EINPUT', `${file}: ${field} names "${printable(name)}", not a valid npm package name: ${problem}`);
      const spec = readNpmDependency(name, range);
      if (spec.kind !== 'registry' || spec.name !== name) {
        throw new MirrorError('EINPUT', `${file}: ${field}.${name} is "${printable(range)}"; only registry version ranges can be vetted and mirrored`);
      }
      dependencies.push({ name, range, field });
    }
  }
  return { manifest, dependencies };
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
  const lock = parseJson(readText(file), file) as { lockfileVersion?: unknown; packages?: Record<string, Record<string, unknown>> };
  if (typeof lock?.packages !== 'object' || lock.packages === null) {
    throw new MirrorError('EINPUT', `${file} has no "packages" map: depfence mirror reads lockfileVersion 2 and 3 lockfiles (npm 7 or later)`);
  }
  const seen = new Map<string, LockedPackage>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link === true || entry.inBundle === true) continue;
    if (!path.includes('node_modules/')) continue; // a workspace folder: its own package.json, not a registry package
    const name = typeof entry.name === 'string' ? entry.name : path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const problem = validateNpmName(name);
    if (problem) throw new MirrorError('EINPUT', `${file} "${printable(path)}": "${printable(name)}" is not a valid npm package name: ${problem}`);
    const version = entry.version;
    if (typeof version !== 'string' || !/^[0-9A-Za-z][0-9A-Za-z.+-]*$/.test(version)) {
      throw new MirrorError('EINPUT', `${file} "${printable(path)}" has no registry version (${printable(String(version))}); only registry packages can be vetted and mirrored`);
    }
    const resolved = typeof entry.resolved === 'string' ? entry.resolved : null;
    if (resolved !== null && !/^https?:\/\//.test(resolved)) {
      throw new MirrorError('EINPUT', `${file} "${printable(path)}" is resolved to ${printable(resolved)}; only registry tarballs can be vetted and mirrored`);
    }
    const integrity = typeof entry.integrity === 'string' ? entry.integrity : null;
    const key = `${name}@${version}`;
    const known = seen.get(key);
    if (known && known.integrity && integrity && known.integrity !== integrity) {
      throw new MirrorError('EINPUT', `${file} gives two integrity values for ${key} ("${known.path}" and "${path}")`);
    }
    if (!known) seen.set(key, { name, version, resolved, integrity, path });
  }
  return [...seen.values()].sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MirrorError('EINPUT', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}
