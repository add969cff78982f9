// The severity words advisories are ranked by (CVSS's qualitative scale).
import type { SeverityWord } from '../config/schema.js';

export const SEVERITY_RANK: Readonly<Record<SeverityWord, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Is `word` at or above `threshold`? A null threshold is never reached. */
export function atLeast(word: SeverityWord, threshold: SeverityWord | null): boolean {
  return threshold !== null && SEVERITY_RANK[word] >= SEVERITY_RANK[threshold];
}
