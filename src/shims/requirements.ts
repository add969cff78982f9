// Requirements and constraints files, as pip and `uv pip` read them (src/inputs/requirements.ts:
// pip's decoding, line joining and comment rules): every line, every `-r`/`-c` include followed
// (relative to the including file), `${VAR}` expanded as pip does. Index options
// and direct URLs inside them are reported (refused unless trusted); named requirements are
// collected for the pre-flight check.
import { dirname, resolve } from 'node:path';
import { readRequirementsFile, RequirementsReadError, type RequirementLine } from '../inputs/requirements.js';
import { scanArgs } from './options.js';
import { classifyRequirement, type PackageRef } from './packages.js';
import { REQUIREMENTS_FILE_OPTIONS } from './pip/options.js';
import { FROM_COMMAND_LINE, isTrusted, type SourceSetting } from './settings.js';

export interface RequirementsScan {
  env: NodeJS.ProcessEnv;
  trusted: readonly string[];
  /** Shows a path the way the user knows it (relative to the working directory when inside it). */
  display: (file: string) => string;
  settings: SourceSetting[];
  packages: PackageRef[];
  /** Local directories named as requirements (their pyproject.toml is read too). */
  localPaths: Array<{ path: string; origin: string }>;
  seen: Set<string>;
}

const SOURCE_OPTIONS = new Set(REQUIREMENTS_FILE_OPTIONS.sensitive);
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const DIRECT_URL_WHY = 'a direct URL requirement is downloaded from that URL, around the firewall';
const INCLUDE_URL_WHY = 'a requirements file fetched from a URL cannot be checked before pip reads it';

/** Reads one file (and what it includes). `kind` says whether its requirements are installed or only constrain. */
export function scanRequirementsFile(file: string, kind: 'requirements' | 'constraints', scan: RequirementsScan, includedFrom?: string): void {
  const path = resolve(file);
  if (scan.seen.has(`${kind}:${path}`)) return;
  scan.seen.add(`${kind}:${path}`);
  let lines: RequirementLine[];
  try {
    lines = readRequirementsFile(path, scan.env);
  } catch (error) {
    if (!(error instanceof RequirementsReadError)) return; // a missing file: the tool reports it itself
    addSource(scan, { setting: 'requirements file', value: scan.display(path), origin: includedFrom ?? FROM_COMMAND_LINE, action: 'refuse', why: `${error.message}, so what it asks for cannot be checked` });
    return;
  }
  for (const { number, requirement, options } of lines) {
    const origin = `${scan.display(path)}:${number}${includedFrom ? ` (included from ${includedFrom})` : ''}`;
    if (requirement === '') scanOptionLine(options, path, origin, kind, scan);
    else scanRequirement(requirement, origin, kind, dirname(path), scan);
  }
}

function scanOptionLine(words: string[], file: string, origin: string, kind: 'requirements' | 'constraints', scan: RequirementsScan): void {
  const { options, positionals } = scanArgs(words, REQUIREMENTS_FILE_OPTIONS);
  for (const option of options) {
    if (option.name === null || option.value === null) continue;
    if (SOURCE_OPTIONS.has(option.name)) {
      addSource(scan, { setting: option.written, value: option.value, origin, action: 'refuse', why: 'another package source, consulted besides (or instead of) the firewall' });
    } else if (option.name === '--requirement' || option.name === '--constraint') {
      const includeKind = option.name === '--requirement' ? (kind === 'constraints' ? 'constraints' : 'requirements') : 'constraints';
      includeFile(option.written, option.value, includeKind, dirname(file), origin, scan, origin);
    } else if (option.name === '--editable') {
      scanRequirement(option.value, origin, kind, dirname(file), scan);
    }
  }
  // `-e` written with its value on the same line after other options is covered above; anything
  // else left over (a requirement after an option) is read as a requirement.
  for (const positional of positionals) scanRequirement(positional, origin, kind, dirname(file), scan);
}

/**
 * A requirements or constraints file named by `-r`/`-c` (relative to `baseDir`); one on a URL is
 * refused, since what it holds cannot be read first.
 */
export function includeFile(written: string, value: string, kind: 'requirements' | 'constraints', baseDir: string, origin: string, scan: RequirementsScan, includedFrom?: string): void {
  if (SCHEME.test(value) && !/^file:/i.test(value)) {
    addSource(scan, { setting: written, value, origin, action: 'refuse', why: INCLUDE_URL_WHY });
    return;
  }
  scanRequirementsFile(resolve(baseDir, value.replace(/^file:(\/\/)?/i, '')), kind, scan, includedFrom);
}

/** One requirement, from a file or the command line. */
export function scanRequirement(text: string, origin: string, kind: 'requirements' | 'constraints', baseDir: string, scan: RequirementsScan): void {
  const target = classifyRequirement(text);
  switch (target.kind) {
    case 'url':
      addSource(scan, { setting: 'direct URL', value: target.url, origin, action: 'refuse', why: DIRECT_URL_WHY });
      return;
    case 'name':
      if (kind === 'requirements') scan.packages.push({ ecosystem: 'pypi', name: target.name, version: target.version, origin });
      return;
    case 'local':
      scan.localPaths.push({ path: resolve(baseDir, target.path.replace(/^file:(\/\/)?/i, '')), origin });
      return;
    case 'unknown':
      return;
  }
}

/** Records a source setting, as trusted when shims.trustedUrls lists it. */
export function addSource(scan: { settings: SourceSetting[]; trusted: readonly string[] }, setting: SourceSetting): void {
  scan.settings.push(setting.action === 'refuse' && isTrusted(setting.value, scan.trusted) ? { ...setting, action: 'trusted' } : setting);
}
