// PEP 691 content negotiation: which representation of a simple-index page a client gets, from
// its Accept header (read by negotiator) or the optional `?format=` query parameter.
import Negotiator from 'negotiator';
import { SIMPLE_HTML, SIMPLE_JSON, TEXT_HTML } from './wire.js';

export type PageFormat = 'json' | 'html';

export interface Representation {
  format: PageFormat;
  /** The Content-Type to answer with. */
  contentType: string;
}

const JSON_REPRESENTATION: Representation = { format: 'json', contentType: SIMPLE_JSON };
const V1_HTML_REPRESENTATION: Representation = { format: 'html', contentType: SIMPLE_HTML };
const TEXT_HTML_REPRESENTATION: Representation = { format: 'html', contentType: `${TEXT_HTML}; charset=utf-8` };

/** Media types a client may name, with the PEP 691 `latest` aliases. */
const NAMED: readonly [string, Representation][] = [
  [SIMPLE_JSON, JSON_REPRESENTATION],
  ['application/vnd.pypi.simple.latest+json', JSON_REPRESENTATION],
  [SIMPLE_HTML, V1_HTML_REPRESENTATION],
  ['application/vnd.pypi.simple.latest+html', V1_HTML_REPRESENTATION],
  [TEXT_HTML, TEXT_HTML_REPRESENTATION],
];

/** Offered in this order: among equally good matches (a wildcard), the first wins. */
const OFFERED = (
  [TEXT_HTML, SIMPLE_JSON, 'application/vnd.pypi.simple.latest+json', SIMPLE_HTML, 'application/vnd.pypi.simple.latest+html'] as const
).map((type) => [type, NAMED.find(([named]) => named === type)![1]] as const);

export const SUPPORTED_TYPES = [SIMPLE_JSON, SIMPLE_HTML, TEXT_HTML] as const;

/**
 * The representation to serve, or null when nothing the client accepts is served here (406).
 * `?format=` wins over Accept. No Accept header means anything goes: HTML, which every client
 * and browser reads. Otherwise negotiator (as Express uses it) ranks what is offered by q, then
 * by how specific the matching range is, then by the order of the client's ranges; a wildcard
 * alone gets `text/html`, `application/*` the JSON page.
 */
export function negotiate(accept: string | undefined, format: string | null = null): Representation | null {
  if (format !== null) return NAMED.find(([type]) => type === format.trim().toLowerCase())?.[1] ?? null;
  if (accept === undefined || accept.trim() === '') return TEXT_HTML_REPRESENTATION;
  const [best] = new Negotiator({ headers: { accept } }).mediaTypes(OFFERED.map(([type]) => type));
  return OFFERED.find(([type]) => type === best)?.[1] ?? null;
}
