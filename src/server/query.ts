// Query strings, checked before a route reads them. Express (inside Verdaccio) parses queries with
// `qs`, so `text=a&text=b` becomes an array and `text[]=x` or `text[k]=x` an array or object,
// which routes do not expect (one of Verdaccio's threw and ended the process). Each route has a
// table of the parameters it reads and the shape of each; a parameter given twice, an array- or
// object-shaped name, or a value out of its range is refused (400), and parameters the route does
// not read are dropped, so what handles the request only ever sees the rebuilt, validated query.

export interface ParameterSpec {
  /** Why a value is refused, or null when it is fine. */
  problem(value: string): string | null;
}

export type QueryCheck = { ok: true; query: string } | { ok: false; message: string };

const MAX_QUERY_LENGTH = 2_048;
const MAX_TEXT_LENGTH = 256;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A plain parameter name: anything with brackets or dots is a nested shape to `qs`. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const integer = (min: number, max: number): ParameterSpec => ({
  problem: (value) =>
    /^\d{1,6}$/.test(value) && Number(value) >= min && Number(value) <= max ? null : `must be a whole number from ${min} to ${max}`,
});
export const weight: ParameterSpec = {
  problem: (value) => (/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.test(value) ? null : 'must be a number from 0 to 1'),
};
export const text: ParameterSpec = {
  problem: (value) =>
    value.length > MAX_TEXT_LENGTH
      ? `is longer than ${MAX_TEXT_LENGTH} characters`
      : CONTROL.test(value)
        ? 'has a control character'
        : null,
};
export const flag: ParameterSpec = {
  problem: (value) => (value === 'true' || value === 'false' || value === '1' || value === '' ? null : 'must be true or false'),
};

export type QueryTable = Readonly<Record<string, ParameterSpec>>;

/**
 * The validated query (`?a=1&b=2`, or `''` when nothing is left) for a route that reads the
 * parameters in `specs`, or why it is refused. `rawQuery` is everything after the `?` as sent.
 */
export function checkQuery(specs: QueryTable, rawQuery: string): QueryCheck {
  if (rawQuery === '') return { ok: true, query: '' };
  if (rawQuery.length > MAX_QUERY_LENGTH)
    return refused(`the query string is ${rawQuery.length} characters long; at most ${MAX_QUERY_LENGTH} are allowed`);
  const kept = new URLSearchParams();
  let params: URLSearchParams;
  try {
    // URLSearchParams replaces invalid percent-encoding with U+FFFD instead of throwing; qs does
    // the same, so a value that decodes differently is refused below as a control/odd character.
    decodeURIComponent(rawQuery.replace(/\+/g, ' '));
    params = new URLSearchParams(rawQuery);
  } catch {
    return refused('the query string is not valid percent-encoding');
  }
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!PLAIN_NAME.test(name))
      return refused(`the query parameter "${printable(name)}" is not a plain name (arrays and objects are not accepted)`);
    const spec = Object.hasOwn(specs, name) ? specs[name]! : undefined;
    if (!spec) continue;
    if (seen.has(name)) return refused(`the query parameter "${name}" is given more than once`);
    seen.add(name);
    const problem = spec.problem(value);
    if (problem) return refused(`the query parameter "${name}" ${problem}`);
    kept.append(name, value);
  }
  const query = kept.toString();
  return { ok: true, query: query === '' ? '' : `?${query}` };
}

function refused(message: string): QueryCheck {
  return { ok: false, message };
}

function printable(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return shown.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
