// The HTML of PEP 503 pages as tokens: start tags (name and attributes), end tags and text, read
// with htmlparser2 and decoded with the full HTML5 entity table (entities' legacy mode, which is
// what Python's html.unescape does, so attribute values and text read as pip reads them). Where pip
// (html.parser) sees an attribute twice, the last one counts (`dict(attrs)`), and an attribute
// written without a value counts as absent; so they do here.
//
// Fail closed: a page that ends inside a tag, a comment or a <script>/<style> element, that holds
// a NUL, or that closes a comment in a way browsers honour and html.parser does not (`<!-->`), is
// damaged (MalformedPageError). pip would silently drop what follows such an opening, or read it
// differently; depfence refuses the page instead of guessing. test/protocol/pypi-html-as-pip
// runs hostile pages through pip's own parser to keep the two readings the same.
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import { MalformedPageError } from './model.js';

export type HtmlToken =
  | { kind: 'start'; name: string; attributes: Record<string, string> }
  /** `implied`: no end tag was written; the parser closed the element (an enclosing end tag, or the end of the page). */
  | { kind: 'end'; name: string; implied: boolean }
  | { kind: 'text'; text: string };

const RAW_TEXT = new Set(['script', 'style']);

export function tokenizeHtml(html: string): HtmlToken[] {
  if (html.includes('\0')) throw new MalformedPageError('the HTML page contains a NUL character');
  const tokens: HtmlToken[] = [];
  let attributes: Record<string, string> = {};
  let text = '';
  // Set by the parser's callbacks; the assertion keeps TypeScript from taking it for always null.
  let problem = null as string | null;
  const flushText = () => {
    if (text !== '') tokens.push({ kind: 'text', text: decodeHTML(text) });
    text = '';
  };
  const parser = new Parser(
    {
      onattribute(name, value, quote) {
        // A name without `=value` is None to html.parser, which pip reads as absent (so does uv).
        if (quote === undefined) delete attributes[name];
        else attributes[name] = decodeHTML(value);
      },
      onopentag(name) {
        flushText();
        tokens.push({ kind: 'start', name, attributes });
        attributes = {};
      },
      onclosetag(name, implied) {
        flushText();
        if (implied && RAW_TEXT.has(name)) problem ??= `a <${name}> element is never closed`;
        tokens.push({ kind: 'end', name, implied });
      },
      ontext(data) {
        text += data;
      },
      oncomment() {
        const written = html.slice(parser.startIndex, parser.endIndex + 1);
        const terminator = written.startsWith('<!--') ? '-->' : written.startsWith('<![CDATA[') ? ']]>' : '>';
        if (!written.endsWith(terminator)) problem ??= 'a comment is never closed';
        // `<!-->` and `<!--->` end a comment in HTML5 but not in html.parser, where the comment runs on.
        else if (written.startsWith('<!--') && written.length < 7) problem ??= `"${written}" ends a comment for browsers, not for pip`;
      },
    },
    { decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  flushText();
  // Both parsers drop a tag the page ends inside (html.parser waits for more); a page cut short so is refused.
  const lastOpen = html.lastIndexOf('<');
  if (problem === null && /^<[a-zA-Z/!?]/.test(html.slice(lastOpen, lastOpen + 2)) && !html.includes('>', lastOpen))
    problem = `the page ends inside a tag (at offset ${lastOpen})`;
  if (problem !== null) throw new MalformedPageError(`the HTML page is damaged: ${problem}`);
  return tokens;
}
