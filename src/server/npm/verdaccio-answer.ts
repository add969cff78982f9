// Reading the registry process's answers and the client's Accept header (with negotiator).
import Negotiator from 'negotiator';
import { ABBREVIATED_MEDIA_TYPE } from '../../protocol/npm/abbreviated.js';

/** Verdaccio's own error text from a JSON error body (`{"error": "…"}`), if any. */
export function verdaccioError(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return null;
  }
}

/** `application/vnd.npm.install-v1+json` preferred over the full document? (npm install asks so; a wildcard gets the full one.) */
export function wantsAbbreviated(accept: string | undefined): boolean {
  const [best] = new Negotiator({ headers: { accept } }).mediaTypes(['application/json', ABBREVIATED_MEDIA_TYPE]);
  return best === ABBREVIATED_MEDIA_TYPE;
}
