// PEP 691 content negotiation: which representation of a simple-index page a client gets, from
// its Accept header (media ranges with q-values) or the optional `?format=` query parameter.
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
const NAMED: ReadonlyArray<[string, Representation]> = [
  [SIMPLE_JSON, JSON_REPRESENTATION],
  ['application/vnd.pypi.simple.latest+json', JSON_REPRESENTATION],
  [SIMPLE_HTML, V1_HTML_REPRESENTATION],
  ['application/vnd.pypi.simple.latest+html', V1_HTML_REPRESENTATION],
  [TEXT_HTML, TEXT_HTML_REPRESENTATION],
];

/** Tie-breaks, least preferred first: JSON when asked for by name, text/html when only a wildcard matched. */
const EXACT_PREFERENCE = [TEXT_HTML_REPRESENTATION, V1_HTML_REPRESENTATION, JSON_REPRESENTATION];
const WILDCARD_PREFERENCE = [V1_HTML_REPRESENTATION, JSON_REPRESENTATION, TEXT_HTML_REPRESENTATION];

export const SUPPORTED_TYPES = [SIMPLE_JSON, SIMPLE_HTML, TEXT_HTML] as const;

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/**
 * The representation to serve, or null when nothing the client accepts is served here (406).
 * `?format=` wins over Accept. No Accept header means anything goes: HTML, which every client
 * and browser reads. Ties on q go to the more specific range; among exact matches JSON is
 * preferred, among wildcard matches `text/html`.
 */
export function negotiate(accept: string | undefined, format: string | null = null): Representation | null {
  if (format !== null) return NAMED.find(([type]) => type === format.trim().toLowerCase())?.[1] ?? null;
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return TEXT_HTML_REPRESENTATION;
  let best: { representation: Representation; score: [number, number, number] } | null = null;
  for (const [mediaType, representation] of NAMED) {
    const match = bestRange(ranges, mediaType);
    if (!match || match.q <= 0) continue;
    const exact = match.specificity === 2;
    const preference = (exact ? EXACT_PREFERENCE : WILDCARD_PREFERENCE).indexOf(representation);
    const score: [number, number, number] = [match.q, match.specificity, preference];
    if (!best || compareScores(score, best.score) > 0) best = { representation, score };
  }
  return best?.representation ?? null;
}

function compareScores(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The most specific range that covers `mediaType` (the q of that range decides, as RFC 9110 says). */
function bestRange(ranges: MediaRange[], mediaType: string): { q: number; specificity: number } | null {
  const [type, subtype] = mediaType.split('/') as [string, string];
  let found: { q: number; specificity: number } | null = null;
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity < 0) continue;
    if (!found || specificity > found.specificity) found = { q: range.q, specificity };
  }
  return found;
}

export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept) return [];
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [mediaType = '', ...parameters] = part.split(';').map((piece) => piece.trim());
    const slash = mediaType.indexOf('/');
    if (slash <= 0 || slash === mediaType.length - 1) continue;
    let q = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.split('=').map((piece) => piece.trim());
      if (key?.toLowerCase() !== 'q' || value === undefined) continue;
      const parsed = Number(value);
      q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
    }
    ranges.push({ type: mediaType.slice(0, slash).toLowerCase(), subtype: mediaType.slice(slash + 1).toLowerCase(), q });
  }
  return ranges;
}
