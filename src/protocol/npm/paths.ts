// What an npm client asked for, read from the raw request path, with bad input refused before
// anything else runs. npm escapes the scope's slash in packument URLs (`/@scope%2fname`) and not in
// tarball URLs (`/@scope/name/-/name-1.0.0.tgz`); both forms are accepted. An encoded slash or
// backslash anywhere else, `.`/`..` segments, empty segments, control characters and overlong paths
// are refused: they have no business in a registry path and are how path tricks start.
import { validateNpmName } from '../../names/index.js';

export type NpmPath =
  /** `/`: the registry root. */
  | { kind: 'root' }
  /** `/name`: the packument. */
  | { kind: 'packument'; name: string }
  /** `/name/1.2.3` or `/name/latest`: one version's manifest. */
  | { kind: 'version'; name: string; version: string }
  /** `/name/-/name-1.2.3.tgz`. */
  | { kind: 'tarball'; name: string; filename: string }
  /** `/-/…`: registry endpoints (ping, whoami, search, login, audit…); `rest` is the decoded path after `/-/`. */
  | { kind: 'endpoint'; rest: string }
  /** Anything else under a package (`/name/-rev/…` from unpublish): only writes go there. */
  | { kind: 'package-other'; name: string }
  | { kind: 'bad'; message: string };

export const MAX_PATH_LENGTH = 1024;
const MAX_SEGMENT_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED_SLASH = /%2f/i;

export function parseNpmPath(rawPath: string): NpmPath {
  if (rawPath.length > MAX_PATH_LENGTH)
    return bad(`the request path is ${rawPath.length} characters long; at most ${MAX_PATH_LENGTH} are allowed`);
  if (rawPath === '/') return { kind: 'root' };
  const raw = rawPath.slice(1).split('/');
  if (raw[0] === '-') {
    const rest = decodeAll(raw.slice(1));
    if (typeof rest === 'string') return bad(rest);
    return { kind: 'endpoint', rest: rest.join('/') };
  }
  // A scoped name is either two segments (`@scope`, `name`) or one with an escaped slash.
  let nameSegments: number;
  let first = raw[0] ?? '';
  if (first.startsWith('@') || first.toLowerCase().startsWith('%40')) {
    const escaped = first.split(ENCODED_SLASH);
    if (escaped.length === 2) {
      nameSegments = 1;
      first = `${escaped[0]}/${escaped[1]}`;
    } else if (escaped.length > 2) {
      return bad('the request path has more than one encoded slash in the package name');
    } else {
      nameSegments = 2;
    }
  } else {
    nameSegments = 1;
  }
  const nameRaw = nameSegments === 2 ? [first, raw[1] ?? ''] : first.split('/');
  const decodedName = decodeAll(nameRaw);
  if (typeof decodedName === 'string') return bad(decodedName);
  const name = decodedName.join('/');
  const problem = validateNpmName(name);
  if (problem) return bad(`"${name}" is not a valid npm package name: ${problem}`);

  const restRaw = raw.slice(nameSegments);
  const rest = decodeAll(restRaw);
  if (typeof rest === 'string') return bad(rest);
  if (rest.length === 0) return { kind: 'packument', name };
  if (rest.length === 1) return { kind: 'version', name, version: rest[0]! };
  if (rest.length === 2 && rest[0] === '-') {
    const filename = rest[1]!;
    if (!filename.endsWith('.tgz')) return bad(`"${filename}" is not a tarball name (it should end in .tgz)`);
    return { kind: 'tarball', name, filename };
  }
  return { kind: 'package-other', name };
}

/** Each segment decoded, or the reason the path is refused. */
function decodeAll(segments: string[]): string[] | string {
  const decoded: string[] = [];
  for (const segment of segments) {
    if (segment === '') return 'the request path has an empty segment (a doubled or trailing slash)';
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return `the request path segment "${segment}" is not valid percent-encoding`;
    }
    if (text.includes('/') || text.includes('\\')) return 'the request path has an encoded slash or backslash where none belongs';
    if (text === '.' || text === '..') return "the request path has a '.' or '..' segment";
    if (CONTROL.test(text)) return 'the request path has a control character';
    if (text.length > MAX_SEGMENT_LENGTH)
      return `a request path segment is ${text.length} characters long; at most ${MAX_SEGMENT_LENGTH} are allowed`;
    decoded.push(text);
  }
  return decoded;
}

function bad(message: string): NpmPath {
  return { kind: 'bad', message };
}

/** `name-1.2.3.tgz` of package `name` (or `@scope/name`) → `1.2.3`, or null if the file is not named that way. */
export function versionFromFilename(name: string, filename: string): string | null {
  const bare = name.slice(name.lastIndexOf('/') + 1);
  const prefix = `${bare}-`;
  if (!filename.startsWith(prefix) || !filename.endsWith('.tgz')) return null;
  const version = filename.slice(prefix.length, -'.tgz'.length);
  return version === '' ? null : version;
}

/** The URL path of a version's tarball on this server (npm keeps only the path of lockfile URLs). */
export function tarballPath(name: string, filename: string): string {
  return `/${name}/-/${encodeURIComponent(filename)}`;
}
