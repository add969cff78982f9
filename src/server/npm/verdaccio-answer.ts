// Reading the registry process's answers and the client's Accept header.

/** Verdaccio's own error text from a JSON error body (`{"error": "…"}`), if any. */
export function verdaccioError(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : null;
  } catch {
    return null;
  }
}

/** `application/vnd.npm.install-v1+json` preferred over the full document? (npm install asks so.) */
export function wantsAbbreviated(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { type: string; q: number } | null = null;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';').map((item) => item.trim());
    const qParam = params.find((param) => param.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (best === null || q > best.q) best = { type: type.toLowerCase(), q };
  }
  return best?.type === 'application/vnd.npm.install-v1+json';
}
