// PEP 503 HTML project pages (from the upstream) into the model: every `<a>` is a file; `href`
// carries the URL and a `#<hash>=<hex>` fragment; `data-*` attributes carry requires-python,
// yanked, core metadata, and (uv's non-standard) size and upload time. A file's name is its URL's
// last path segment, as pip and uv read it (a link whose text says otherwise is set aside). The
// first `<base href>` anywhere in the page moves the base URL (pip's HTMLLinkParser), and the PEP
// 629 meta tag is checked. An `<a>` left open (or closed only by an enclosing end tag) is damage.
import { decodeHTML } from 'entities';
import { tokenizeHtml, type HtmlToken } from './html-tokens.js';
import { MalformedPageError, unreadableFile, type DistFile, type Hashes, type ProjectPage } from './model.js';
import { parseHashFragment, parseUploadTime, resolveUrl } from './page-values.js';
import type { WireAnchor } from './wire.js';

export function parseHtmlProjectPage(html: string, pageUrl: string, name: string): ProjectPage {
  let base: string | null = null;
  const anchors: WireAnchor[] = [];
  let open: WireAnchor | null = null;
  for (const token of tokenizeHtml(html)) {
    if (token.kind === 'start' && token.name === 'base' && token.attributes.href !== undefined && base === null) {
      base = resolveUrl(token.attributes.href, pageUrl) ?? pageUrl;
    } else if (token.kind === 'start' && token.name === 'meta') {
      checkRepositoryVersion(token);
    } else if (token.kind === 'start' && token.name === 'a') {
      if (open) throw new MalformedPageError(`an <a> inside the <a> for ${open.href} (a link is never closed)`);
      open = { href: token.attributes.href ?? '', text: '', attributes: token.attributes };
    } else if (token.kind === 'text' && open) {
      open.text += token.text;
    } else if (token.kind === 'end' && token.name === 'a' && open) {
      if (token.implied) throw new MalformedPageError(`the <a> for ${open.href} is never closed`);
      anchors.push(open);
      open = null;
    }
  }
  if (open) throw new MalformedPageError(`the <a> for ${open.href} is never closed`);
  return {
    name,
    versions: null,
    files: anchors.filter((anchor) => anchor.href !== '').map((anchor) => fileOrSetAside(anchor, base ?? pageUrl)),
  };
}

/** A link whose URL or hash cannot be read is kept as `unreadable` (never served, with the reason). */
function fileOrSetAside(anchor: WireAnchor, base: string): DistFile {
  try {
    return fileOf(anchor, base);
  } catch (error) {
    if (!(error instanceof MalformedPageError)) throw error;
    const resolved = resolveUrl(anchor.href, base);
    const filename = (resolved === null ? '' : lastSegment(new URL(resolved))) || anchor.text.trim() || anchor.href;
    return unreadableFile(filename, base, error.message);
  }
}

function checkRepositoryVersion(token: Extract<HtmlToken, { kind: 'start' }>): void {
  if (token.attributes.name !== 'pypi:repository-version') return;
  const version = token.attributes.content ?? '';
  if (Number(version.split('.')[0]) !== 1)
    throw new MalformedPageError(`the HTML page speaks repository version "${version}"; depfence understands 1.x`);
}

function fileOf(anchor: WireAnchor, base: string): DistFile {
  const resolved = resolveUrl(anchor.href, base);
  if (resolved === null) throw new MalformedPageError(`the link "${anchor.href}" is not a URL`);
  const url = new URL(resolved);
  const hashes: Record<string, string> = {};
  if (url.hash) {
    const pair = parseHashFragment(url.hash.slice(1));
    if (!pair) throw new MalformedPageError(`the link "${anchor.href}" has a hash fragment that is not <name>=<hex>`);
    hashes[pair[0]] = pair[1];
  }
  url.hash = '';
  const attributes = anchor.attributes;
  // pip and uv name the file after the URL's last path segment, not the link text; a page where
  // the two differ would have depfence judge one file while the client installs another.
  const filename = lastSegment(url);
  const text = anchor.text.trim();
  if (text !== '' && text !== filename)
    throw new MalformedPageError(
      `the link text "${text}" names another file than its URL (${filename}), which is the one pip and uv would install`,
    );
  return {
    filename,
    url: url.href,
    hashes,
    // pip unescapes this attribute once more (PEP 503 asks for `&lt;`/`&gt;`, and some indexes escape twice).
    requiresPython: decodeHTML(attributes['data-requires-python'] ?? '') || null,
    yanked: 'data-yanked' in attributes ? attributes['data-yanked'] || true : false,
    coreMetadata: coreMetadata(attributes['data-core-metadata'] ?? attributes['data-dist-info-metadata']),
    gpgSig: attributes['data-gpg-sig'] === undefined ? null : attributes['data-gpg-sig'] === 'true',
    size: sizeOf(attributes['data-size']),
    uploadTime: attributes['data-upload-time'] ? parseUploadTime(attributes['data-upload-time']) : null,
    ...(attributes['data-provenance'] ? { provenance: attributes['data-provenance'] } : {}),
  };
}

/** PEP 714's attribute; a value in no known form reads as "no metadata file" (clients then fetch the file itself). */
function coreMetadata(value: string | undefined): boolean | Hashes {
  if (value === undefined || value === 'false') return false;
  if (value === 'true' || value === '') return true;
  const pair = parseHashFragment(value);
  return pair ? { [pair[0]]: pair[1] } : false;
}

function sizeOf(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const size = Number(value);
  return Number.isSafeInteger(size) ? size : null;
}

function lastSegment(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
