// What `depfence check` is asked about: SPECs on the command line (`npm:NAME[@VERSION]`,
// `pypi:NAME[==VERSION]`) and the packages named in files (requirements.txt, package.json,
// package-lock.json, or a plain list of SPECs).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { readNpmDependency, readNpmSpec, type NpmSpec } from '../inputs/npm-spec.js';
import { decodeRequirements, requirementLines, RequirementsReadError } from '../inputs/requirements.js';
import { validateName, type Ecosystem } from '../names/index.js';
import { UsageError } from './usage-error.js';

export interface PackageSpec {
  ecosystem: Ecosystem;
  name: string;
  /** An exact version, or null for a range or no version at all (the package as a whole is judged). */
  version: string | null;
  /** Where the spec came from, for error messages: "command line" or "requirements.txt:4". */
  origin: string;
}

const SPEC = /^(npm|pypi):(.+)$/;

export function parseSpec(text: string, origin = 'command line'): PackageSpec {
  const match = SPEC.exec(text.trim());
  if (!match) throw new UsageError(`${origin}: "${text}" is not a package spec: write npm:NAME[@VERSION] or pypi:NAME[==VERSION]`);
  const [, ecosystem, rest] = match as unknown as [string, Ecosystem, string];
  const { name, version } = ecosystem === 'npm' ? registryPackage(readNpmSpec(rest), origin, text) : splitPypi(rest);
  return validated({ ecosystem, name, version, origin }, text);
}

/**
 * The registry package an npm spec names, read as npm reads it (an alias names the aliased
 * package; `v1.2.3` is the version 1.2.3). A git, URL or path spec names no registry package.
 */
function registryPackage(spec: NpmSpec, origin: string, text: string): { name: string; version: string | null } {
  switch (spec.kind) {
    case 'registry':
      return { name: spec.name, version: spec.version };
    case 'git':
    case 'remote':
      throw new UsageError(`${origin}: "${printable(text)}" is fetched from ${spec.url}, not from a registry, so there is no package to check; the shims refuse it`);
    case 'local':
      throw new UsageError(`${origin}: "${printable(text)}" is a local path, not a registry package`);
    case 'invalid':
      throw new UsageError(`${origin}: "${printable(text)}" is not a spec npm installs: ${printable(spec.reason)}`);
  }
}

function splitPypi(rest: string): { name: string; version: string | null } {
  const [name, version] = rest.split('==', 2) as [string, string | undefined];
  return { name, version: version?.trim() || null };
}

function validated(spec: PackageSpec, text: string): PackageSpec {
  const problem = validateName(spec.ecosystem, spec.name);
  if (problem) throw new UsageError(`${spec.origin}: "${printable(text)}" names no valid ${spec.ecosystem} package: ${problem}`);
  if (spec.version !== null && /[\s\0-\x1f/\\]/.test(spec.version)) {
    throw new UsageError(`${spec.origin}: "${printable(text)}" has an invalid version "${printable(spec.version)}"`);
  }
  return spec;
}

/** Control characters shown as escapes, so an error message cannot rewrite the terminal. */
function printable(text: string): string {
  return text.replace(/[\0-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Reads `--file PATH` (`-` = standard input) and returns the specs it names. */
export function specsFromFile(path: string, readStdin: () => string): PackageSpec[] {
  const label = path === '-' ? 'standard input' : path;
  let text: string;
  let bytes: Buffer | null = null;
  try {
    if (path === '-') text = readStdin();
    else {
      bytes = readFileSync(path);
      text = bytes.toString('utf8');
    }
  } catch (error) {
    throw new UsageError(`cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path given to --file`);
  }
  const file = basename(path);
  if (file === 'package.json') return specsFromPackageJson(text, label);
  if (file === 'package-lock.json' || file === 'npm-shrinkwrap.json') return specsFromPackageLock(text, label);
  if (looksLikeSpecList(text)) return specsFromSpecList(text, label);
  const requirements = bytes === null ? text : readLines(() => decodeRequirements(bytes, label), label);
  return specsFromRequirements(requirements, label, path === '-' ? process.cwd() : dirname(resolve(path)), new Set());
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label} is not valid JSON: ${(error as Error).message}`);
  }
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

function specsFromPackageJson(text: string, label: string): PackageSpec[] {
  const manifest = parseJson(text, label) as Record<string, unknown>;
  const specs: PackageSpec[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest?.[field];
    if (deps === undefined) continue;
    if (typeof deps !== 'object' || deps === null) throw new UsageError(`${label}: "${field}" must be an object of name: range`);
    for (const [name, range] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof range !== 'string') throw new UsageError(`${label}: ${field}.${name} must be a version range string`);
      const spec = readNpmDependency(name, range);
      if (spec.kind === 'local') continue; // the project's own folder or tarball: nothing on a registry
      const origin = `${label} ${field}`;
      specs.push(validated({ ecosystem: 'npm', ...registryPackage(spec, origin, `${name}@${range}`), origin }, name));
    }
  }
  return specs;
}

function specsFromPackageLock(text: string, label: string): PackageSpec[] {
  const lock = parseJson(text, label) as { packages?: Record<string, { version?: string; link?: boolean; name?: string; resolved?: unknown }> };
  if (typeof lock?.packages !== 'object' || lock.packages === null) {
    throw new UsageError(`${label} has no "packages" map: depfence reads lockfileVersion 2 and 3 lockfiles (npm 7 or later)`);
  }
  const specs: PackageSpec[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const origin = `${label} "${path}"`;
    // A registry entry is resolved to a tarball URL; a git entry would be cloned from its host.
    const resolved = typeof entry.resolved === 'string' ? readNpmDependency(name, entry.resolved) : null;
    if (resolved?.kind === 'git') registryPackage(resolved, origin, `${name}@${entry.resolved}`);
    specs.push(validated({ ecosystem: 'npm', name, version: entry.version ?? null, origin }, name));
  }
  return specs;
}

function meaningfulLines(text: string): Array<{ line: string; number: number }> {
  return text
    .split(/\r?\n/)
    .map((raw, index) => ({ line: raw.replace(/(^|\s)#.*$/, '').trim(), number: index + 1 }))
    .filter(({ line }) => line !== '');
}

function looksLikeSpecList(text: string): boolean {
  const lines = meaningfulLines(text);
  return lines.length > 0 && lines.every(({ line }) => SPEC.test(line));
}

function specsFromSpecList(text: string, label: string): PackageSpec[] {
  return meaningfulLines(text).map(({ line, number }) => parseSpec(line, `${label}:${number}`));
}

// PEP 508 requirement: name, optional [extras], then a version specifier, a URL or a marker.
const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/;

function specsFromRequirements(text: string, label: string, baseDir: string, seen: Set<string>): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (const { number, requirement, options } of readLines(() => requirementLines(text, process.env), label)) {
    const origin = `${label}:${number}`;
    if (requirement === '') {
      for (const include of includedFiles(options)) {
        const target = resolve(baseDir, include);
        if (seen.has(target)) continue;
        seen.add(target);
        const nested = readLines(() => decodeRequirements(readIncluded(target, include, origin), include), include);
        specs.push(...specsFromRequirements(nested, include, dirname(target), seen));
      }
      continue; // other pip options (--index-url, --hash…) name no package
    }
    const parsed = REQUIREMENT.exec(requirement);
    if (!parsed) throw new UsageError(`${origin}: "${printable(requirement)}" is not a requirement: write NAME, NAME==VERSION or NAME>=VERSION`);
    const [, name, , rest] = parsed as unknown as [string, string, string | undefined, string];
    const specifier = rest.split(';', 1)[0]!.trim();
    const pin = /^===?\s*([^\s,*]+)$/.exec(specifier);
    specs.push(validated({ ecosystem: 'pypi', name, version: pin ? pin[1]! : null, origin }, requirement));
  }
  return specs;
}

/** The files `-r`/`-c` options name (pip's optparse also accepts `--requirement=`, `-rFILE`). */
function includedFiles(options: readonly string[]): string[] {
  const files: string[] = [];
  for (let index = 0; index < options.length; index++) {
    const option = options[index]!;
    const long = /^--(requirement|constraint)(?:=(.*))?$/.exec(option);
    const short = /^-[rc](.*)$/.exec(option);
    if (long) files.push(long[2] ?? options[++index] ?? '');
    else if (short) files.push(short[1] || (options[++index] ?? ''));
  }
  return files.filter((file) => file !== '');
}

function readIncluded(target: string, written: string, origin: string): Buffer {
  try {
    return readFileSync(target);
  } catch (error) {
    throw new UsageError(`${origin}: cannot read ${written} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Runs a reader of pip's format, turning what pip could not read either into a usage error. */
function readLines<T>(read: () => T, label: string): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RequirementsReadError) throw new UsageError(`${label}: ${error.message}`);
    throw error;
  }
}
