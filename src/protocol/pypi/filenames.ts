// Distribution filenames: which version a file on a project page belongs to (PEP 427 wheels,
// PEP 625 and legacy sdists, eggs), and whether a filename is safe to name in a depfence URL.
import { normalizePypiName } from '../../names/index.js';

const SDIST_EXTENSIONS = ['.tar.gz', '.tgz', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tar.lz', '.tlz', '.tar', '.zip'];
const SAFE_FILENAME = /^[A-Za-z0-9][A-Za-z0-9._+!~-]*$/;
export const MAX_FILENAME_LENGTH = 255;

export interface FileIdentity {
  /** 'wheel', 'sdist' or 'egg'. */
  kind: 'wheel' | 'sdist' | 'egg';
  version: string;
}

/**
 * The kind and version of a distribution file of `project` (a PEP 503 name), or a one-sentence
 * reason why it is not one (another project's file, an installer pip never uses, no version).
 */
export function identifyFile(project: string, filename: string): FileIdentity | string {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length !== 5 && parts.length !== 6)
      return `${filename} is not a wheel filename (name-version[-build]-python-abi-platform.whl)`;
    return named(project, filename, parts[0]!, parts[1]!, 'wheel');
  }
  if (lower.endsWith('.egg')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length < 2) return `${filename} is not an egg filename`;
    return named(project, filename, parts[0]!, parts[1]!, 'egg');
  }
  const extension = SDIST_EXTENSIONS.find((ext) => lower.endsWith(ext));
  if (!extension) return `${filename} is not a wheel, sdist or egg, so no installer uses it`;
  const stem = filename.slice(0, -extension.length);
  // Legacy sdist names may hold dashes in the name part: find the split that gives this project.
  for (let dash = stem.indexOf('-'); dash !== -1; dash = stem.indexOf('-', dash + 1)) {
    if (sameProject(stem.slice(0, dash), project)) return withVersion(filename, stem.slice(dash + 1), 'sdist');
  }
  return `${filename} does not start with the project name ${project}`;
}

function named(project: string, filename: string, namePart: string, version: string, kind: FileIdentity['kind']): FileIdentity | string {
  if (!sameProject(namePart, project)) return `${filename} belongs to another project than ${project}`;
  return withVersion(filename, version, kind);
}

function withVersion(filename: string, version: string, kind: FileIdentity['kind']): FileIdentity | string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.!+_]*$/.test(version)) return `${filename} has no readable version`;
  return { kind, version };
}

function sameProject(namePart: string, project: string): boolean {
  return normalizePypiName(namePart) === project;
}

/** Null when `filename` may appear as the last segment of a depfence file URL, otherwise why not. */
export function filenameProblem(filename: string): string | null {
  if (filename.length === 0) return 'the filename is empty';
  if (filename.length > MAX_FILENAME_LENGTH)
    return `the filename is ${filename.length} characters long; at most ${MAX_FILENAME_LENGTH} are allowed`;
  if (!SAFE_FILENAME.test(filename) || filename.includes('..')) {
    return "a distribution filename holds only letters, digits and . _ + ! ~ -, starts with a letter or digit, and has no '..'";
  }
  return null;
}
