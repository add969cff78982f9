// What `depfence check` is asked about: SPECs on the command line (`npm:NAME[@VERSION]`,
// `pypi:NAME[==VERSION]`) and the packages named in files (requirements.txt, package.json,
// package-lock.json, or a plain list of SPECs).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { readNpmDependency, readNpmSpec, type NpmSpec } from '../inputs/npm-spec.js';
import { strictly } from '../inputs/input-error.js';
import { readPackageJson } from '../inputs/package-json.js';
import { isLockfileName, readPackageLock } from '../inputs/package-lock.js';
import { decodeRequirements, requirementEntries, requirementLines, RequirementsReadError } from '../inputs/requirements.js';
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
      throw new UsageError(
        `${origin}: "${printable(text)}" is fetched from ${spec.url}, not from a registry, so there is no package to check; the shims refuse it`,
      );
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
    throw new UsageError(
      `cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path given to --file`,
    );
  }
  const file = basename(path);
  if (file === 'package.json') return specsFromPackageJson(text, label);
  if (isLockfileName(file)) return specsFromPackageLock(text, label);
  if (looksLikeSpecList(text)) return specsFromSpecList(text, label);
  const requirements = bytes === null ? text : readLines(() => decodeRequirements(bytes, label), label);
  return specsFromRequirements(requirements, label, path === '-' ? process.cwd() : dirname(resolve(path)), new Set());
}

function specsFromPackageJson(text: string, label: string): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (const { field, name, value, spec } of strictly(readPackageJson(text, label)).dependencies) {
    if (spec.kind === 'local') continue; // the project's own folder or tarball: nothing on a registry
    const origin = `${label} ${field}`;
    specs.push(validated({ ecosystem: 'npm', ...registryPackage(spec, origin, `${name}@${value}`), origin }, name));
  }
  return specs;
}

function specsFromPackageLock(text: string, label: string): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (const entry of strictly(readPackageLock(text, label)).entries) {
    if (entry.link || !entry.installed) continue; // a workspace folder (or a link to one) is the project's own code
    const origin = `${label} "${entry.path}"`;
    // A registry entry is resolved to a tarball URL; a git entry would be cloned from its host.
    const resolved = entry.resolved === null ? null : readNpmDependency(entry.name, entry.resolved);
    if (resolved?.kind === 'git') registryPackage(resolved, origin, `${entry.name}@${entry.resolved}`);
    specs.push(validated({ ecosystem: 'npm', name: entry.name, version: entry.version, origin }, entry.name));
  }
  return specs;
}

function meaningfulLines(text: string): { line: string; number: number }[] {
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

function specsFromRequirements(text: string, label: string, baseDir: string, seen: Set<string>): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (const entry of readLines(() => requirementEntries(requirementLines(text, process.env), label), label)) {
    const origin = `${label}:${entry.line}`;
    if (entry.kind === 'include') {
      const target = resolve(baseDir, entry.value);
      if (seen.has(target)) continue;
      seen.add(target);
      const nested = readLines(() => decodeRequirements(readIncluded(target, entry.value, origin), entry.value), entry.value);
      specs.push(...specsFromRequirements(nested, entry.value, dirname(target), seen));
      continue;
    }
    if (entry.kind === 'option') continue; // --index-url, --pre…: name no package
    const { target } = entry;
    switch (target.kind) {
      case 'name':
        specs.push(validated({ ecosystem: 'pypi', name: target.name, version: target.version, origin }, entry.text));
        break;
      case 'url':
        throw new UsageError(
          `${origin}: "${printable(entry.text)}" is downloaded from ${printable(target.url)}, not from an index, so there is no package to check; the shims refuse it`,
        );
      case 'local':
        break; // a folder or file of the project's own: nothing on an index
      case 'unknown':
        throw new UsageError(`${origin}: "${printable(entry.text)}" is not a requirement: write NAME, NAME==VERSION or NAME>=VERSION`);
    }
  }
  return specs;
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
