// An advisory's severity: the highest CVSS base score among its vectors (v2, v3.x, v4; computed by
// ae-cvss-calculator, FIRST's formulas) mapped to CVSS's qualitative scale, else the word the
// database gives (GHSA's database_specific.severity: LOW, MODERATE, HIGH, CRITICAL; Ubuntu's
// priorities), else none (the policy's `unscored` setting decides). The highest score wins because
// a firewall errs towards the worse reading when two scorings disagree.
import cvss from 'ae-cvss-calculator';
import type { SeverityWord } from '../../config/index.js';
import { SEVERITY_RANK } from '../../policy/severity-words.js';

export interface AdvisorySeverity {
  severity: SeverityWord | null;
  score: number | null;
  /** The vector or field the severity came from. */
  source: string | null;
}

export const UNSCORED: AdvisorySeverity = { severity: null, score: null, source: null };

const CVSS_TYPES = new Set(['CVSS_V2', 'CVSS_V3', 'CVSS_V4']);
const WORDS: Record<string, SeverityWord> = {
  critical: 'critical',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'low',
  none: 'none',
};

/** CVSS v3/v4 qualitative rating of a base score. */
export function scoreToWord(score: number): SeverityWord {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

const scoreCache = new Map<string, number | null>();

/** The base score of a CVSS vector, or null when the vector is not complete and valid. */
export function baseScore(vector: string): number | null {
  const cached = scoreCache.get(vector);
  if (cached !== undefined) return cached;
  let score: number | null = null;
  try {
    // fromVector is typed `any`: what it returns is read as far as it is used, and checked.
    const parsed = cvss.fromVector(vector) as { calculateScores: () => { base?: unknown } } | undefined;
    const base = parsed?.calculateScores().base;
    if (typeof base === 'number' && Number.isFinite(base) && base >= 0 && base <= 10) score = base;
  } catch {
    score = null;
  }
  if (scoreCache.size < 100_000) scoreCache.set(vector, score);
  return score;
}

export function severityOf(entries: unknown, databaseSpecific: unknown): AdvisorySeverity {
  let best: AdvisorySeverity = UNSCORED;
  let bestWord: AdvisorySeverity = UNSCORED;
  for (const entry of Array.isArray(entries) ? entries : []) {
    const { type, score } = (entry ?? {}) as { type?: unknown; score?: unknown };
    if (typeof type !== 'string' || typeof score !== 'string') continue;
    if (CVSS_TYPES.has(type)) {
      const base = baseScore(score);
      if (base !== null && (best.score === null || base > best.score)) best = { severity: scoreToWord(base), score: base, source: score };
    } else {
      const word = WORDS[score.toLowerCase()];
      if (word && higher(word, bestWord.severity)) bestWord = { severity: word, score: null, source: `${type}: ${score}` };
    }
  }
  if (best.score !== null) return best;
  const dbWord = (databaseSpecific as { severity?: unknown } | null)?.severity;
  const word = typeof dbWord === 'string' ? WORDS[dbWord.toLowerCase()] : undefined;
  if (word && higher(word, bestWord.severity))
    return { severity: word, score: null, source: `database_specific.severity: ${dbWord as string}` };
  return bestWord;
}

export function higher(word: SeverityWord, than: SeverityWord | null): boolean {
  return than === null || SEVERITY_RANK[word] > SEVERITY_RANK[than];
}
