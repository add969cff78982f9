// The PyPI side's URL space, and the one place that reads and builds its paths:
//   /-/pypi/simple/                      root page
//   /-/pypi/simple/<project>/            project page (PEP 503 name; others redirect)
//   /-/pypi/files/<project>/<filename>   a file listed on that project's page
//   /-/pypi/files/<project>/<filename>.metadata   its PEP 658 core metadata
// A file URL names only the project and the filename: the firewall looks both up in the project
// page it fetched itself, so a client can never make it fetch a URL of the client's choosing.
// Paths are read from the raw request line: encoded separators and dot segments are refused
// before any URL normalisation could hide them.
import { normalizePypiName, validatePypiName } from '../../names/index.js';
import { filenameProblem } from '../../protocol/pypi/filenames.js';

export const PYPI_PREFIX = '/-/pypi/';
export const SIMPLE_PREFIX = '/-/pypi/simple/';
export const FILES_PREFIX = '/-/pypi/files/';
const METADATA_SUFFIX = '.metadata';

export type PypiPath =
  | { kind: 'root' }
  | { kind: 'project'; name: string }
  /** The project name is valid but not in its normalised form (or the slash is missing): redirect. */
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; project: string; filename: string; metadata: boolean }
  | { kind: 'bad'; message: string }
  | { kind: 'unknown' };

export function parsePypiPath(rawUrl: string): PypiPath {
  const [rawPath, query] = splitQuery(rawUrl);
  const segments = rawPath.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return { kind: 'bad', message: `the path segment "${segment}" is not valid percent-encoding` };
    }
    if (/[/\\\0]/.test(text)) return { kind: 'bad', message: 'the path holds an encoded slash, backslash or NUL' };
    if (text === '.' || text === '..') return { kind: 'bad', message: "the path holds a '.' or '..' segment" };
    decoded.push(text);
  }
  const path = decoded.join('/');
  if (path === SIMPLE_PREFIX) return { kind: 'root' };
  if (path === SIMPLE_PREFIX.slice(0, -1)) return { kind: 'redirect', location: withQuery(SIMPLE_PREFIX, query) };
  if (path.startsWith(SIMPLE_PREFIX)) return projectPath(path.slice(SIMPLE_PREFIX.length), query);
  if (path.startsWith(FILES_PREFIX)) return filePath(path.slice(FILES_PREFIX.length));
  return { kind: 'unknown' };
}

function projectPath(rest: string, query: string | undefined): PypiPath {
  const slash = rest.indexOf('/');
  const name = slash === -1 ? rest : rest.slice(0, slash);
  if (slash !== -1 && slash !== rest.length - 1) return { kind: 'unknown' };
  const problem = validatePypiName(name);
  if (problem) return { kind: 'bad', message: `"${printable(name)}" is not a valid project name: ${problem}` };
  const normalized = normalizePypiName(name);
  if (normalized !== name || slash === -1) return { kind: 'redirect', location: withQuery(projectPagePath(normalized), query) };
  return { kind: 'project', name };
}

function filePath(rest: string): PypiPath {
  const parts = rest.split('/');
  if (parts.length !== 2) return { kind: 'unknown' };
  const [project = '', requested = ''] = parts;
  const problem = validatePypiName(project);
  if (problem) return { kind: 'bad', message: `"${printable(project)}" is not a valid project name: ${problem}` };
  if (normalizePypiName(project) !== project)
    return { kind: 'bad', message: `file URLs name the project in its normalised form: ${normalizePypiName(project)}` };
  const metadata = requested.endsWith(METADATA_SUFFIX) && requested.length > METADATA_SUFFIX.length;
  const filename = metadata ? requested.slice(0, -METADATA_SUFFIX.length) : requested;
  const badFile = filenameProblem(filename);
  if (badFile) return { kind: 'bad', message: `"${printable(filename)}" is not a distribution filename: ${badFile}` };
  return { kind: 'file', project, filename, metadata };
}

export function projectPagePath(name: string): string {
  return `${SIMPLE_PREFIX}${encodeURIComponent(name)}/`;
}

/** A file's URL as written on its project page: relative, so it works behind any reverse proxy. */
export function fileHref(project: string, filename: string): string {
  return `../../files/${encodeURIComponent(project)}/${encodeURIComponent(filename)}`;
}

function splitQuery(rawUrl: string): [string, string | undefined] {
  const mark = rawUrl.indexOf('?');
  return mark === -1 ? [rawUrl, undefined] : [rawUrl.slice(0, mark), rawUrl.slice(mark + 1)];
}

function withQuery(path: string, query: string | undefined): string {
  return query ? `${path}?${query}` : path;
}

/** Names echoed in messages are cut short and stripped of control characters. */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}
