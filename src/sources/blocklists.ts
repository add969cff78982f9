// Deny lists: known-malicious packages and slopsquat names, one entry a line.
//   name            every version of the package is listed
//   name@version    only that version (one line per version); npm scoped: @scope/name@1.2.3
//   # text          a comment; after an entry it says where that entry comes from
// A `# source: …` header line says where the file's entries come from. Names are compared
// canonically (PEP 503 for PyPI, lowercase for npm); versions exactly as written.
import { DataFileError } from './data-file-error.js';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { BlocklistHit, Blocklists } from '../policy/context.js';
import type { Ecosystem } from '../policy/types.js';
import { sameVersion } from '../policy/checks/version-match.js';
import { canonicalName, validateName } from '../names/index.js';
import { packageFile, packageRoot } from './package-root.js';

export type { BlocklistHit, Blocklists };
export type BlocklistKind = BlocklistHit['kind'];

export interface BlocklistEntry {
  /** As written in the file. */
  name: string;
  canonical: string;
  /** null: every version. */
  version: string | null;
  line: number;
  /** The comment after the entry, if any. */
  comment: string | null;
}

export interface Blocklist extends Blocklists {
  /** Path relative to the package root when inside it, else absolute. */
  file: string;
  ecosystem: Ecosystem;
  kind: BlocklistKind;
  /** The `# source:` header line, or the file name when there is none. */
  source: string;
  entries: readonly BlocklistEntry[];
}

export interface BlocklistFileConfig {
  path: string;
  ecosystem: Ecosystem;
  kind: BlocklistKind;
}

/** The lists shipped in depfence's blocklists/ folder. */
export const BUILTIN_BLOCKLISTS: readonly BlocklistFileConfig[] = [
  { path: packageFile('blocklists', 'npm-malicious.txt'), ecosystem: 'npm', kind: 'malicious' },
  { path: packageFile('blocklists', 'pypi-malicious.txt'), ecosystem: 'pypi', kind: 'malicious' },
  { path: packageFile('blocklists', 'npm-slopsquat.txt'), ecosystem: 'npm', kind: 'slopsquat' },
  { path: packageFile('blocklists', 'pypi-slopsquat.txt'), ecosystem: 'pypi', kind: 'slopsquat' },
];

export function loadBlocklist(file: string, ecosystem: Ecosystem, kind: BlocklistKind): Blocklist {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw blocklistError(displayPath(path), 0, `cannot be read (${(err as Error).message}); check policy.blocklists.files in your config`);
  }
  return parseBlocklist(text, displayPath(path), ecosystem, kind);
}

export function loadBuiltinBlocklists(): Blocklists {
  return combineBlocklists(BUILTIN_BLOCKLISTS.map((list) => loadBlocklist(list.path, list.ecosystem, list.kind)));
}

/** The built-in lists (unless `builtin` is false) plus the user's own, as config names them. */
export function loadBlocklists(config: { builtin: boolean; files: readonly BlocklistFileConfig[] }): Blocklists {
  const files = [...(config.builtin ? BUILTIN_BLOCKLISTS : []), ...config.files];
  return combineBlocklists(files.map((list) => loadBlocklist(list.path, list.ecosystem, list.kind)));
}

/** One lookup over several lists: the hits of every list, in the order given. */
export function combineBlocklists(lists: readonly Blocklists[]): Blocklists {
  return { lookup: (ecosystem, name, version) => lists.flatMap((list) => list.lookup(ecosystem, name, version)) };
}

export function parseBlocklist(text: string, file: string, ecosystem: Ecosystem, kind: BlocklistKind): Blocklist {
  const lines = text.split(/\r?\n/);
  const source = headerSource(lines) ?? file;
  const entries: BlocklistEntry[] = [];
  for (let index = 0; index < lines.length; index++) {
    const entry = parseEntry(lines[index]!, ecosystem, file, index + 1);
    if (entry) entries.push(entry);
  }
  const index = indexEntries(entries);
  return {
    file,
    ecosystem,
    kind,
    source,
    entries,
    lookup(askedEcosystem, name, version) {
      if (askedEcosystem !== ecosystem) return [];
      const found = index.get(canonicalName(ecosystem, name));
      return found ? hitsFor(found, version, { kind, file, source, ecosystem }) : [];
    },
  };
}

function headerSource(lines: string[]): string | undefined {
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    const match = /^#\s*source:\s*(.+)$/.exec(line);
    if (match) return match[1]!.trim();
  }
  return undefined;
}

function parseEntry(raw: string, ecosystem: Ecosystem, file: string, line: number): BlocklistEntry | null {
  const hash = raw.indexOf('#');
  const body = (hash < 0 ? raw : raw.slice(0, hash)).trim();
  if (body === '') return null;
  const comment = hash < 0 ? null : raw.slice(hash + 1).trim() || null;
  if (/\s/.test(body))
    throw blocklistError(
      file,
      line,
      `the entry has more than one word before the comment: ${JSON.stringify(body)} (one name or name@version a line)`,
    );
  const at = body.lastIndexOf('@');
  const name = at > 0 ? body.slice(0, at) : body;
  const version = at > 0 ? body.slice(at + 1) : null;
  const nameProblem = validateName(ecosystem, name);
  if (nameProblem) throw blocklistError(file, line, `${JSON.stringify(name)} is not a valid ${ecosystem} package name: ${nameProblem}`);
  if (version !== null && !/^[0-9A-Za-z][0-9A-Za-z.+!_-]*$/.test(version)) {
    throw blocklistError(file, line, `${JSON.stringify(version)} is not a version (write name or name@version)`);
  }
  return { name, canonical: canonicalName(ecosystem, name), version, line, comment };
}

interface IndexedName {
  whole: BlocklistEntry[];
  versioned: BlocklistEntry[];
}

function indexEntries(entries: readonly BlocklistEntry[]): Map<string, IndexedName> {
  const index = new Map<string, IndexedName>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    let slot = index.get(entry.canonical);
    if (!slot) index.set(entry.canonical, (slot = { whole: [], versioned: [] }));
    (entry.version === null ? slot.whole : slot.versioned).push(entry);
  }
  return index;
}

/**
 * A whole-name entry matches any version. A `name@version` entry matches that version, in any
 * spelling the ecosystem's tools read as it (`1.82.7.0` for `1.82.7` on PyPI); when no
 * version was asked, the version-specific entries come back as one hit listing their versions, so
 * callers can hide those versions without denying the package.
 */
function hitsFor(
  found: IndexedName,
  version: string | null,
  list: { kind: BlocklistKind; file: string; source: string; ecosystem: Ecosystem },
): BlocklistHit[] {
  const hits: BlocklistHit[] = found.whole.map((entry) => ({
    kind: list.kind,
    allVersions: true,
    file: list.file,
    line: entry.line,
    source: entry.comment ?? list.source,
  }));
  const versions = [...new Set(found.versioned.map((entry) => entry.version!))];
  const entry =
    version === null ? found.versioned[0] : found.versioned.find((candidate) => sameVersion(list.ecosystem, candidate.version!, version));
  if (entry)
    hits.push({ kind: list.kind, allVersions: false, versions, file: list.file, line: entry.line, source: entry.comment ?? list.source });
  return hits;
}

function displayPath(path: string): string {
  const inside = relative(packageRoot(), path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

function blocklistError(file: string, line: number, problem: string): DataFileError {
  const where = line > 0 ? `${file}:${line}` : file;
  return new DataFileError('EBLOCKLIST', file, line, `blocklist ${where}: ${problem}`);
}
