// A small, strict tokenizer for the HTML of PEP 503 pages: it yields start tags (name and
// decoded attributes), end tags and text. PEP 503 pages are machine-written and tiny in
// vocabulary, so a document that leaves a tag, quote or comment open, or holds a NUL, is treated
// as damaged (MalformedPageError) rather than guessed at the way a browser would.
import { MalformedPageError } from './model.js';

export type HtmlToken =
  | { kind: 'start'; name: string; attributes: Record<string, string> }
  | { kind: 'end'; name: string }
  | { kind: 'text'; text: string };

const RAW_TEXT = new Set(['script', 'style']);

export function* tokenizeHtml(html: string): Generator<HtmlToken> {
  if (html.includes('\0')) throw new MalformedPageError('the HTML page contains a NUL character');
  let position = 0;
  while (position < html.length) {
    const open = html.indexOf('<', position);
    if (open === -1) {
      yield { kind: 'text', text: decodeEntities(html.slice(position)) };
      return;
    }
    if (open > position) yield { kind: 'text', text: decodeEntities(html.slice(position, open)) };
    if (html.startsWith('<!--', open)) {
      position = skipPast(html, '-->', open + 4, 'a comment');
      continue;
    }
    if (html[open + 1] === '!' || html[open + 1] === '?') {
      position = skipPast(html, '>', open + 2, 'a declaration');
      continue;
    }
    if (html[open + 1] === '/') {
      const close = html.indexOf('>', open);
      if (close === -1) throw new MalformedPageError(`an end tag at offset ${open} is never closed`);
      yield { kind: 'end', name: html.slice(open + 2, close).trim().toLowerCase() };
      position = close + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(html[open + 1] ?? '')) {
      yield { kind: 'text', text: '<' };
      position = open + 1;
      continue;
    }
    const tag = readStartTag(html, open);
    yield { kind: 'start', name: tag.name, attributes: tag.attributes };
    position = tag.end;
    if (RAW_TEXT.has(tag.name)) position = skipPast(html, `</${tag.name}`, position, `a <${tag.name}> element`) - `</${tag.name}`.length;
  }
}

function skipPast(html: string, marker: string, from: number, what: string): number {
  const at = html.toLowerCase().indexOf(marker, from);
  if (at === -1) throw new MalformedPageError(`${what} is never closed`);
  return at + marker.length;
}

function readStartTag(html: string, open: number): { name: string; attributes: Record<string, string>; end: number } {
  const nameMatch = /^[a-zA-Z][a-zA-Z0-9:-]*/.exec(html.slice(open + 1, open + 64));
  const name = nameMatch![0].toLowerCase();
  const attributes: Record<string, string> = {};
  let position = open + 1 + nameMatch![0].length;
  const unclosed = () => new MalformedPageError(`the <${name}> tag at offset ${open} is never closed`);
  for (;;) {
    while (/\s/.test(html[position] ?? '')) position++;
    const char = html[position];
    if (char === undefined) throw unclosed();
    if (char === '>') return { name, attributes, end: position + 1 };
    if (char === '/' && html[position + 1] === '>') return { name, attributes, end: position + 2 };
    if (char === '/') {
      position++;
      continue;
    }
    const attrName = /^[^\s"'<>/=]+/.exec(html.slice(position, position + 256));
    if (!attrName) throw new MalformedPageError(`the <${name}> tag at offset ${open} has an unreadable attribute`);
    position += attrName[0].length;
    while (/\s/.test(html[position] ?? '')) position++;
    let value = '';
    if (html[position] === '=') {
      position++;
      while (/\s/.test(html[position] ?? '')) position++;
      const quote = html[position];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, position + 1);
        if (close === -1) throw unclosed();
        value = html.slice(position + 1, close);
        position = close + 1;
      } else {
        const bare = /^[^\s"'=<>`]+/.exec(html.slice(position));
        if (!bare) throw unclosed();
        value = bare[0];
        position += bare[0].length;
      }
    }
    const key = attrName[0].toLowerCase();
    if (!(key in attributes)) attributes[key] = decodeEntities(value);
  }
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
