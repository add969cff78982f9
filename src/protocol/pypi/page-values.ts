// Small conversions shared by the page parsers and the renderer: URLs, PEP 700 times, hashes in
// `name=hex` form.

/** An absolute http(s) URL for `href` relative to `base`, or null. */
export function resolveUrl(href: string, base: string): string | null {
  try {
    return new URL(href, base).href;
  } catch {
    return null;
  }
}

/** PEP 700 `upload-time` (or any ISO 8601 time with a zone) → Date; null when unreadable. */
export function parseUploadTime(text: string): Date | null {
  const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(time) ? null : new Date(time);
}

/** Date → PEP 700's `yyyy-mm-ddThh:mm:ss.ffffffZ`. */
export function formatUploadTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** `sha256=abc…` → ['sha256', 'abc…'], or null. */
export function parseHashFragment(text: string): [string, string] | null {
  const match = /^([a-z0-9]+)=([0-9a-f]+)$/i.exec(text);
  return match ? [match[1]!.toLowerCase(), match[2]!.toLowerCase()] : null;
}

/** A sha256 digest as the specs write it: 64 lowercase hex characters. */
export function isSha256Hex(text: string | undefined): text is string {
  return text !== undefined && /^[0-9a-f]{64}$/.test(text);
}
