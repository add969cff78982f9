// Public packages' packuments, as depfence serves them itself: the document the facts were read
// from (one fetch per packument: the HTTP client's cache and in-flight sharing serve both), judged
// version by version by the same filter the registry process runs for internal packages (see
// filter/version-filter.ts), with the verdicts filed in the verdict book. A judgement made in the
// last few seconds under the same threat data is reused (a tarball request follows its packument's;
// many clients ask for the same packuments), and so are the documents rendered from it: the most
// recent 16 MiB of them. A threat-data reload ends every reuse at once.
import type { Config } from '../../../config/index.js';
import type { Decider } from '../../../sources/decide.js';
import { fetchNpmPackument } from '../../../sources/npm-metadata.js';
import type { VerdictBook, PackageRecord } from '../filter/verdict-book.js';
import { judgePackument } from '../filter/version-filter.js';
import { tarballUrlProblem } from '../filter/tarball-host.js';
import { asPackument, type Packument } from '../filter/packument.js';
import { applyJudgement } from '../filter/without-versions.js';
import { MemoryCache } from '../../../sources/memory-cache.js';

/** A judgement is reused this long at most (as the registry process reuses its own, filter/judgement-reuse.ts). */
export const JUDGEMENT_REUSE_MS = 10_000;
const RENDERED_BYTES = 16 * 1024 * 1024;

export type PublicPackument =
  /** The packument with the versions the policy hides left out, and the verdicts on every version. */
  | { kind: 'found'; packument: Packument; record: PackageRecord }
  | { kind: 'not-found' }
  /** The upstream registry failed (after the client's retries): why. */
  | { kind: 'failed'; message: string };

export type RecentJudgement = { kind: 'found'; record: PackageRecord } | Exclude<PublicPackument, { kind: 'found' }>;

export interface PublicPackumentsOptions {
  config: Config;
  decider: () => Decider;
  book: VerdictBook;
  now: () => Date;
}

/** A document served from a judgement, kept for reuse while that judgement is. */
export interface RenderedDocument {
  body: Buffer;
  etagBase: string;
  record: PackageRecord;
}

export class PublicPackuments {
  /** When each record this source filed was judged, and under which threat data (records are replaced, never changed). */
  readonly #judged = new WeakMap<PackageRecord, { at: number; generation: number }>();
  readonly #rendered = new MemoryCache<RenderedDocument>(RENDERED_BYTES, (document) => document.body.length + 512);
  /** Judgements under way, by threat-data generation and name: concurrent requests share one. */
  readonly #pending = new Map<string, Promise<PublicPackument>>();
  /** How many packuments were judged (tests see the reuse by it). */
  judgements = 0;

  constructor(readonly options: PublicPackumentsOptions) {}

  /** The packument of a public package, fetched (or from the cache) and judged now (or by a judgement under way). */
  judge(name: string): Promise<PublicPackument> {
    const key = `${this.options.decider().threatData.generation} ${name}`;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#judgeNow(name).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #judgeNow(name: string): Promise<PublicPackument> {
    const { config, book, now } = this.options;
    const decider = this.options.decider();
    const registry = config.upstreams.npm.registry;
    let answer;
    try {
      answer = await fetchNpmPackument(decider.http, registry, name);
    } catch (error) {
      return { kind: 'failed', message: (error as Error).message.replace(/^depfence: /, '') };
    }
    if (!answer.found) return { kind: 'not-found' };
    if (answer.packument.name !== name)
      return { kind: 'failed', message: `the registry answered the request for ${name} with the packument of ${answer.packument.name}` };
    const { unreadableVersions } = answer;
    // Read in the same synchronous step as the judging: the generation the verdicts were made under.
    const generation = decider.threatData.generation;
    const judgement = judgePackument(answer.packument, {
      context: decider.context,
      now,
      enforce: config.mode === 'enforce',
      book,
      warn: (message) => process.stderr.write(`depfence: warning: ${message}\n`),
      unreadableUpstream: () => unreadableVersions,
      tarballProblem: (_name, url) => tarballUrlProblem(url, registry, 'upstreams.npm.registry'),
    });
    const record = book.get(name);
    if (!record) throw new Error(`the version filter filed no verdicts for ${name}`);
    this.#judged.set(record, { at: Date.now(), generation });
    this.judgements++;
    return { kind: 'found', packument: asPackument(applyJudgement(answer.packument, judgement.hidden)), record };
  }

  /** The verdicts on a public package's versions: those made in the last few seconds under the same threat data, else judged now. */
  async recent(name: string): Promise<RecentJudgement> {
    const record = this.options.book.get(name);
    if (record && this.#reusable(record)) return { kind: 'found', record };
    return this.judge(name);
  }

  /** A document rendered as `variant` of the package from a judgement that may still be reused. */
  reusedDocument(name: string, variant: string): RenderedDocument | undefined {
    const key = `${name}\n${variant}`;
    const document = this.#rendered.get(key);
    if (document && this.#reusable(document.record)) return document;
    if (document) this.#rendered.delete(key);
    return undefined;
  }

  keepDocument(name: string, variant: string, document: RenderedDocument): void {
    this.#rendered.set(`${name}\n${variant}`, document);
  }

  #reusable(record: PackageRecord): boolean {
    const judged = this.#judged.get(record);
    return (
      judged !== undefined &&
      Date.now() - judged.at < JUDGEMENT_REUSE_MS &&
      judged.generation === this.options.decider().threatData.generation
    );
  }
}
