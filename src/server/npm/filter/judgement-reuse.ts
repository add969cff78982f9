// The registry process's memory of depfence's recent judgements. Verdaccio runs the filter on every
// packument read: an install reads each packument, then again before serving each tarball, and a
// busy firewall reads the same few packuments many times a second. The same versions judged a
// moment ago under the same threat data get the same answer, so it is reused, briefly.
//
// Never across a threat-data reload: every request depfence forwards names the threat-data
// generation in force at that moment (GENERATION_HEADER), the front door hands it to `observe`
// before Verdaccio routes the request, and an answer is reused only while the newest generation
// seen is the one it was judged under. A request that reaches Verdaccio after a reload therefore
// always meets a fresh judgement.
import { BoundedMap } from '../bounded-map.js';

export interface JudgeAnswer {
  /** Versions to hide, or 'all'. */
  hide: string[] | 'all';
  /** The threat-data generation depfence judged under. */
  generation: number;
  /** false: the answer depends on more than the versions sent (depfence says so); never reused. */
  reusable: boolean;
}

/** How long an answer is reused at most; a version's age or an expiring exception shows this much later at most. */
export const JUDGEMENT_REUSE_MS = 10_000;

export class JudgementReuse {
  #generation = -1;
  readonly #recent = new BoundedMap<string, { body: string; answer: JudgeAnswer; until: number }>(2_000);

  constructor(
    readonly reuseMs = JUDGEMENT_REUSE_MS,
    readonly now: () => number = Date.now,
  ) {}

  /** A request from depfence named this generation (generations only grow). */
  observe(generation: number): void {
    if (Number.isSafeInteger(generation) && generation > this.#generation) this.#generation = generation;
  }

  /** The answer to reuse for these versions (`body`: what the judge would be sent), if any. */
  get(name: string, body: string): JudgeAnswer | undefined {
    const recent = this.#recent.get(name);
    if (recent?.body !== body || recent.answer.generation !== this.#generation || recent.until <= this.now()) return undefined;
    return recent.answer;
  }

  remember(name: string, body: string, answer: JudgeAnswer): void {
    if (answer.reusable) this.#recent.set(name, { body, answer, until: this.now() + this.reuseMs });
    else this.#recent.delete(name);
  }
}
