// What `depfence check` is asked about: SPECs on the command line (`npm:NAME[@VERSION]`,
// `pypi:NAME[==VERSION]`) and the packages named in files (requirements.txt, package.json,
// package-lock.json, or a plain list of SPECs).
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import semver from 'semver';
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
  const { name, version } = ecosystem === 'npm' ? splitNpm(rest) : splitPypi(rest);
  return validated({ ecosystem, name, version, origin }, text);
}

function splitNpm(rest: string): { name: string; version: string | null } {
  const at = rest.indexOf('@', 1);
  if (at === -1) return { name: rest, version: null };
  return { name: rest.slice(0, at), version: rest.slice(at + 1) || null };
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
  try {
    text = path === '-' ? readStdin() : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path given to --file`);
  }
  const file = basename(path);
  if (file === 'package.json') return specsFromPackageJson(text, label);
  if (file === 'package-lock.json' || file === 'npm-shrinkwrap.json') return specsFromPackageLock(text, label);
  if (looksLikeSpecList(text)) return specsFromSpecList(text, label);
  return specsFromRequirements(text, label, path === '-' ? process.cwd() : dirname(resolve(path)), new Set());
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
      const exact = semver.valid(range);
      specs.push(validated({ ecosystem: 'npm', name, version: exact, origin: `${label} ${field}` }, name));
    }
  }
  return specs;
}

function specsFromPackageLock(text: string, label: string): PackageSpec[] {
  const lock = parseJson(text, label) as { packages?: Record<string, { version?: string; link?: boolean; name?: string }> };
  if (typeof lock?.packages !== 'object' || lock.packages === null) {
    throw new UsageError(`${label} has no "packages" map: depfence reads lockfileVersion 2 and 3 lockfiles (npm 7 or later)`);
  }
  const specs: PackageSpec[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    specs.push(validated({ ecosystem: 'npm', name, version: entry.version ?? null, origin: `${label} "${path}"` }, name));
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
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const { line, number } of meaningfulLines(joined)) {
    const origin = `${label}:${number}`;
    const include = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(line);
    if (include) {
      const target = resolve(baseDir, include[2]!);
      if (seen.has(target)) continue;
      seen.add(target);
      const nested = (() => {
        try {
          return readFileSync(target, 'utf8');
        } catch (error) {
          throw new UsageError(`${origin}: cannot read ${include[2]} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      })();
      specs.push(...specsFromRequirements(nested, include[2]!, dirname(target), seen));
      continue;
    }
    if (line.startsWith('-')) continue; // pip options (--index-url, --hash…) name no package
    const requirement = REQUIREMENT.exec(line);
    if (!requirement) throw new UsageError(`${origin}: "${printable(line)}" is not a requirement: write NAME, NAME==VERSION or NAME>=VERSION`);
    const [, name, , rest] = requirement as unknown as [string, string, string | undefined, string];
    const specifier = rest.split(';', 1)[0]!.trim();
    const pin = /^===?\s*([^\s,*]+)$/.exec(specifier);
    specs.push(validated({ ecosystem: 'pypi', name, version: pin ? pin[1]! : null, origin }, line));
  }
  return specs;
}
