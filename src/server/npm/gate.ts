// Package-level verdicts, before any packument or tarball is served: typosquats, blocklists, download
// floors, package age, dependency confusion and the allow/deny lists, through the same decider as
// `depfence check`. One decision per package is reused for a short while (a install asks for the
// packument and then the tarball; a big packument is costly to parse again); a decision that failed
// for missing facts is never reused, so the next request tries again, and none outlives the
// threat-data index it was made with.
import type { Decision } from '../../policy/index.js';
import { deniedOnlyForMissingFacts } from '../../policy/index.js';
import type { Decider } from '../../sources/decide.js';
import { denials } from './messages.js';

export type GateAction =
  /** allowed (or warned): serve it */
  | 'pass'
  /** denied on the facts: 403 */
  | 'deny'
  /** the only denial is "no such package": 404 */
  | 'not-found'
  /** denied because facts could not be fetched: refused with sendUnavailable (403, never retried) */
  | 'unavailable';

export interface GateVerdict {
  decision: Decision;
  action: GateAction;
}

export interface PackageGateOptions {
  decider: Decider;
  now: () => Date;
  /** How long a decision is reused (ms). */
  reuseMs: number;
}

export class PackageGate {
  readonly #memo = new Map<string, { verdict: Promise<GateVerdict>; until: number; generation: number }>();

  constructor(readonly options: PackageGateOptions) {}

  verdict(name: string): Promise<GateVerdict> {
    const key = name.toLowerCase();
    const now = Date.now();
    const generation = this.options.decider.threatData.generation;
    const cached = this.#memo.get(key);
    if (cached && cached.until > now && cached.generation === generation) return cached.verdict;
    const verdict = this.options.decider
      .decide({ ecosystem: 'npm', name, version: null }, this.options.now())
      .then((decision) => ({ decision, action: actionOf(decision) }));
    const entry = { verdict, until: now + this.options.reuseMs, generation };
    this.#memo.set(key, entry);
    if (this.#memo.size > 10_000) this.#memo.delete(this.#memo.keys().next().value!);
    verdict.then(
      (result) => {
        if (result.action === 'unavailable' && this.#memo.get(key) === entry) this.#memo.delete(key);
      },
      () => this.#memo.delete(key),
    );
    return verdict;
  }
}

export function actionOf(decision: Decision): GateAction {
  if (decision.decision !== 'deny') return 'pass';
  if (deniedOnlyForMissingFacts(decision)) return 'unavailable';
  if (denials(decision).every((finding) => finding.check === 'exists')) return 'not-found';
  return 'deny';
}
