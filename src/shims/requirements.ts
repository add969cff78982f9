// Requirements and constraints files, as pip and `uv pip` read them (src/inputs/requirements.ts:
// pip's decoding, line joining and comment rules): every line, every `-r`/`-c` include followed
// (relative to the including file), `${VAR}` expanded as pip does. Index options
// and direct URLs inside them are reported (refused unless trusted); named requirements are
// collected for the pre-flight check.
import { dirname, resolve } from 'node:path';
import { classifyRequirement, URL_SCHEME, type RequirementTarget } from '../inputs/requirement.js';
import { readRequirementEntries, REQUIREMENTS_FILE_OPTIONS, RequirementsReadError, type RequirementEntry } from '../inputs/requirements.js';
import type { PackageRef } from './packages.js';
import { FROM_COMMAND_LINE, isTrusted, type SourceSetting } from './settings.js';

export interface RequirementsScan {
  env: NodeJS.ProcessEnv;
  trusted: readonly string[];
  /** Shows a path the way the user knows it (relative to the working directory when inside it). */
  display: (file: string) => string;
  settings: SourceSetting[];
  packages: PackageRef[];
  /** Local directories named as requirements (their pyproject.toml is read too). */
  localPaths: { path: string; origin: string }[];
  seen: Set<string>;
}

const SOURCE_OPTIONS = new Set(REQUIREMENTS_FILE_OPTIONS.sensitive);
const DIRECT_URL_WHY = 'a direct URL requirement is downloaded from that URL, around the firewall';
const INCLUDE_URL_WHY = 'a requirements file fetched from a URL cannot be checked before pip reads it';

/** Reads one file (and what it includes). `kind` says whether its requirements are installed or only constrain. */
export function scanRequirementsFile(
  file: string,
  kind: 'requirements' | 'constraints',
  scan: RequirementsScan,
  includedFrom?: string,
): void {
  const path = resolve(file);
  if (scan.seen.has(`${kind}:${path}`)) return;
  scan.seen.add(`${kind}:${path}`);
  let entries: RequirementEntry[];
  try {
    entries = readRequirementEntries(path, scan.env);
  } catch (error) {
    if (!(error instanceof RequirementsReadError)) return; // a missing file: the tool reports it itself
    addSource(scan, {
      setting: 'requirements file',
      value: scan.display(path),
      origin: includedFrom ?? FROM_COMMAND_LINE,
      action: 'refuse',
      why: `${error.message}, so what it asks for cannot be checked`,
    });
    return;
  }
  for (const entry of entries) {
    const origin = `${scan.display(path)}:${entry.line}${includedFrom ? ` (included from ${includedFrom})` : ''}`;
    switch (entry.kind) {
      case 'requirement':
        scanTarget(entry.target, origin, kind, dirname(path), scan);
        break;
      case 'include': {
        const includeKind = entry.constraint || kind === 'constraints' ? 'constraints' : 'requirements';
        includeFile(entry.written, entry.value, includeKind, dirname(path), origin, scan, origin);
        break;
      }
      case 'option':
        if (entry.option.name !== null && entry.option.value !== null && SOURCE_OPTIONS.has(entry.option.name)) {
          addSource(scan, {
            setting: entry.option.written,
            value: entry.option.value,
            origin,
            action: 'refuse',
            why: 'another package source, consulted besides (or instead of) the firewall',
          });
        }
        break;
    }
  }
}

/**
 * A requirements or constraints file named by `-r`/`-c` (relative to `baseDir`); one on a URL is
 * refused, since what it holds cannot be read first.
 */
export function includeFile(
  written: string,
  value: string,
  kind: 'requirements' | 'constraints',
  baseDir: string,
  origin: string,
  scan: RequirementsScan,
  includedFrom?: string,
): void {
  if (URL_SCHEME.test(value) && !/^file:/i.test(value)) {
    addSource(scan, { setting: written, value, origin, action: 'refuse', why: INCLUDE_URL_WHY });
    return;
  }
  scanRequirementsFile(resolve(baseDir, value.replace(/^file:(\/\/)?/i, '')), kind, scan, includedFrom);
}

/** One requirement, from a file or the command line. */
export function scanRequirement(
  text: string,
  origin: string,
  kind: 'requirements' | 'constraints',
  baseDir: string,
  scan: RequirementsScan,
): void {
  scanTarget(classifyRequirement(text), origin, kind, baseDir, scan);
}

function scanTarget(
  target: RequirementTarget,
  origin: string,
  kind: 'requirements' | 'constraints',
  baseDir: string,
  scan: RequirementsScan,
): void {
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
