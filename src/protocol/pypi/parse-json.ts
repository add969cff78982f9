// PEP 691 JSON project pages (from the upstream) into the model. Strict where a wrong value would
// change what a client installs (names, URLs, hashes, yanked), lenient where the spec says unknown
// keys are ignored. A page that is not a project page raises MalformedPageError; a file entry with
// an unreadable value is kept as `unreadable` (never served, with the reason) and the rest of the
// page is used.
import { MalformedPageError, unreadableFile, type DistFile, type Hashes, type ProjectPage } from './model.js';
import { parseUploadTime, resolveUrl } from './page-values.js';

export function parseJsonProjectPage(text: string, pageUrl: string): ProjectPage {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new MalformedPageError(`the JSON project page is not valid JSON (${(error as Error).message})`);
  }
  return readJsonProjectPage(document, pageUrl);
}

/** The same, from an already parsed document (relative URLs resolve against `pageUrl`). */
export function readJsonProjectPage(document: unknown, pageUrl: string): ProjectPage {
  if (!isRecord(document)) throw new MalformedPageError('the JSON project page is not a JSON object');
  checkApiVersion(document.meta);
  if (typeof document.name !== 'string' || document.name === '') throw new MalformedPageError('the JSON project page has no "name"');
  if (!Array.isArray(document.files)) throw new MalformedPageError('the JSON project page has no "files" list');
  return {
    name: document.name,
    versions: stringListOrNull(document.versions),
    files: document.files.map((file, index) => parseFileOrSetAside(file, index, pageUrl)),
  };
}

function parseFileOrSetAside(file: unknown, index: number, pageUrl: string): DistFile {
  try {
    return parseFile(file, index, pageUrl);
  } catch (error) {
    if (!(error instanceof MalformedPageError)) throw error;
    const filename = isRecord(file) && typeof file.filename === 'string' && file.filename !== '' ? file.filename : `files[${index}]`;
    return unreadableFile(filename, pageUrl, error.message);
  }
}

function checkApiVersion(meta: unknown): void {
  if (!isRecord(meta) || typeof meta['api-version'] !== 'string')
    throw new MalformedPageError('the JSON project page has no "meta.api-version"');
  const major = Number(meta['api-version'].split('.')[0]);
  if (major !== 1)
    throw new MalformedPageError(`the JSON project page speaks API version ${meta['api-version']}; depfence understands 1.x`);
}

function parseFile(file: unknown, index: number, pageUrl: string): DistFile {
  const where = `files[${index}]`;
  if (!isRecord(file)) throw new MalformedPageError(`${where} of the JSON project page is not an object`);
  if (typeof file.filename !== 'string' || file.filename === '') throw new MalformedPageError(`${where} has no "filename"`);
  if (typeof file.url !== 'string') throw new MalformedPageError(`${where} (${file.filename}) has no "url"`);
  const url = resolveUrl(file.url, pageUrl);
  if (url === null) throw new MalformedPageError(`${where} (${file.filename}) has a "url" that is not a URL`);
  return {
    filename: file.filename,
    url,
    hashes: file.hashes === undefined ? {} : hashes(file.hashes, `${where}.hashes`),
    requiresPython: optionalString(file['requires-python'], `${where}.requires-python`),
    yanked: yanked(file.yanked, `${where}.yanked`),
    coreMetadata: coreMetadata(file['core-metadata'] ?? file['dist-info-metadata'] ?? file['data-dist-info-metadata']),
    gpgSig: typeof file['gpg-sig'] === 'boolean' ? file['gpg-sig'] : null,
    size: typeof file.size === 'number' && Number.isSafeInteger(file.size) && file.size >= 0 ? file.size : null,
    uploadTime: typeof file['upload-time'] === 'string' ? parseUploadTime(file['upload-time']) : null,
    ...('provenance' in file ? { provenance: typeof file.provenance === 'string' ? resolveUrl(file.provenance, pageUrl) : null } : {}),
  };
}

function hashes(value: unknown, where: string): Hashes {
  if (!isRecord(value)) throw new MalformedPageError(`${where} is not an object of hash names to digests`);
  const result: Record<string, string> = {};
  for (const [name, digest] of Object.entries(value)) {
    if (typeof digest !== 'string') throw new MalformedPageError(`${where}.${name} is not a string`);
    result[name.toLowerCase()] = digest.toLowerCase();
  }
  return result;
}

function yanked(value: unknown, where: string): boolean | string {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'string') return value === '' ? true : value;
  throw new MalformedPageError(`${where} is neither a boolean nor a reason`);
}

/** PEP 714's key; a value in no known form reads as "no metadata file" (clients then fetch the file itself). */
function coreMetadata(value: unknown): boolean | Hashes {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  try {
    return hashes(value, 'core-metadata');
  } catch {
    return false;
  }
}

function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new MalformedPageError(`${where} is not a string`);
  return value === '' ? null : value;
}

/** PEP 700 `versions`, or null when absent or not a list of strings (it is informational; files decide). */
function stringListOrNull(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
