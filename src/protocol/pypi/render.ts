// The model rendered for clients: PEP 691 JSON and PEP 503 HTML of the same page, both at
// repository version 1.1 (PEP 700), with every field pip and uv read.
import type { DistFile, Hashes, ProjectPage } from './model.js';
import { formatUploadTime } from './page-values.js';
import { REPOSITORY_VERSION, type WireFile, type WireProjectPage, type WireRootPage } from './wire.js';

export function renderJsonProjectPage(page: ProjectPage): string {
  const document: WireProjectPage = {
    meta: { 'api-version': REPOSITORY_VERSION },
    name: page.name,
    versions: page.versions ?? [],
    files: page.files.map(wireFile),
  };
  return JSON.stringify(document);
}

function wireFile(file: DistFile): WireFile {
  const wire: WireFile = { filename: file.filename, url: file.url, hashes: { ...file.hashes } };
  if (file.requiresPython !== null) wire['requires-python'] = file.requiresPython;
  if (file.coreMetadata !== false) {
    wire['core-metadata'] = copyOf(file.coreMetadata);
    wire['dist-info-metadata'] = copyOf(file.coreMetadata);
  }
  if (file.gpgSig !== null) wire['gpg-sig'] = file.gpgSig;
  wire.yanked = file.yanked;
  if (file.size !== null) wire.size = file.size;
  if (file.uploadTime !== null) wire['upload-time'] = formatUploadTime(file.uploadTime);
  return wire;
}

function copyOf(value: true | Hashes): true | Hashes {
  return value === true ? true : { ...value };
}

export function renderHtmlProjectPage(page: ProjectPage): string {
  const links = page.files.map((file) => `    <a ${anchorAttributes(file)}>${escapeHtml(file.filename)}</a><br />`);
  return htmlDocument(`Links for ${page.name}`, links);
}

function anchorAttributes(file: DistFile): string {
  const hash = preferredHash(file.hashes);
  const attributes: [string, string | null][] = [['href', hash ? `${file.url}#${hash[0]}=${hash[1]}` : file.url]];
  if (file.requiresPython !== null) attributes.push(['data-requires-python', file.requiresPython]);
  if (file.yanked !== false) attributes.push(['data-yanked', file.yanked === true ? '' : file.yanked]);
  if (file.coreMetadata !== false) {
    const metadataHash = file.coreMetadata === true ? null : preferredHash(file.coreMetadata);
    const value = metadataHash ? `${metadataHash[0]}=${metadataHash[1]}` : 'true';
    attributes.push(['data-core-metadata', value], ['data-dist-info-metadata', value]);
  }
  if (file.gpgSig !== null) attributes.push(['data-gpg-sig', String(file.gpgSig)]);
  if (file.size !== null) attributes.push(['data-size', String(file.size)]);
  if (file.uploadTime !== null) attributes.push(['data-upload-time', formatUploadTime(file.uploadTime)]);
  return attributes.map(([name, value]) => (value === null ? name : `${name}="${escapeHtml(value)}"`)).join(' ');
}

/** The hash an HTML link can carry (one only): sha256 when there is one. */
function preferredHash(hashes: Hashes): [string, string] | null {
  if (hashes.sha256) return ['sha256', hashes.sha256];
  const first = Object.entries(hashes)[0];
  return first ?? null;
}

export function renderJsonRootPage(names: readonly string[]): string {
  const document: WireRootPage = { meta: { 'api-version': REPOSITORY_VERSION }, projects: names.map((name) => ({ name })) };
  return JSON.stringify(document);
}

export function renderHtmlRootPage(names: readonly string[]): string {
  return htmlDocument(
    'Simple index',
    names.map((name) => `    <a href="${escapeHtml(encodeURIComponent(name))}/">${escapeHtml(name)}</a><br />`),
  );
}

/** An HTML page for a refusal (403, 503…): pip logs the body of a failed index page with -v. */
export function renderHtmlMessage(title: string, lines: readonly string[]): string {
  return htmlDocument(
    title,
    lines.map((line) => `    <p>${escapeHtml(line)}</p>`),
  );
}

function htmlDocument(title: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${REPOSITORY_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>${escapeHtml(title)}</h1>`,
    ...body,
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
