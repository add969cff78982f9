// Everything the firewall knows about one project at one moment: the upstream page (public, or
// internal for reserved names), the package-level decision, and a judgement of every file (its
// version, whether it can be served at all, and the policy findings that hide it). Both the
// project-page route and the file route start here, so a file is served only if the page would
// list it. Where the page and files come from is a PypiSource: the upstream indexes (below), or
// the imported offline store (server/offline/pypi.ts), chosen by server/mounts.ts.
import { join } from 'node:path';
import { UNAVAILABLE_STATUS } from '../respond.js';
import type { ServerContext } from '../context.js';
import { createArtifactStore, type ArtifactStore } from '../../sources/artifacts.js';
import { UpstreamError } from '../../sources/http.js';
import { judgeVersion, type Decision, type Finding, type PackageOrigin, type ReleaseHistory } from '../../policy/index.js';
import { pageHistoryWithPublishers } from '../../sources/pypi-publishers.js';
import { fileUrlProblem } from '../file-hosts.js';
import { filenameProblem, identifyFile } from '../../protocol/pypi/filenames.js';
import type { DistFile } from '../../protocol/pypi/model.js';
import { isSha256Hex } from '../../protocol/pypi/page-values.js';
import { fetchUpstreamPage, HtmlOnlyIndexes, INTERNAL_SIMPLE, PUBLIC_SIMPLE, type PageSource } from '../../sources/pypi-page.js';

export interface JudgedFile {
  /** The file as the upstream described it (upstream URL). */
  file: DistFile;
  version: string | null;
  /** Why the file can never be served (cannot be verified or placed): applies in report mode too. */
  problem: string | null;
  /** Policy findings that hide the file (none: visible). */
  findings: Finding[];
  /** Warnings that leave it visible (history signals such as a new Trusted Publisher), for the audit log. */
  warnings: Finding[];
}

export interface ProjectView {
  name: string;
  origin: PackageOrigin;
  source: PageSource;
  decision: Decision;
  files: JudgedFile[];
  /** The page came from the cache because the upstream failed just now. */
  stale: boolean;
}

export type ProjectLookup =
  | { kind: 'view'; view: ProjectView }
  /** Decided without asking any upstream: a reserved internal name with no internal upstream. */
  | { kind: 'reserved'; decision: Decision; rule: string }
  | { kind: 'not-found'; message: string }
  /** The page could not be had: UNAVAILABLE_STATUS when the upstream is unavailable (fail closed), 502 when its answer is unusable. */
  | { kind: 'upstream-error'; status: 502 | typeof UNAVAILABLE_STATUS; message: string; upstream: string };

/** Where the PyPI mount's project pages and files come from. */
export interface PypiSource {
  /** `name` is a valid, normalised name that is not held back as a reserved internal name. */
  project(name: string): Promise<ProjectLookup>;
  artifacts: ArtifactStore;
}

/** The configured upstream indexes (public, and internal for reserved names), with the on-disk artifact cache. */
export function upstreamPypiSource(context: ServerContext): PypiSource {
  const { config } = context;
  const htmlOnly = new HtmlOnlyIndexes();
  return {
    project: (name) => lookupUpstreamProject(context, name, htmlOnly),
    artifacts: createArtifactStore({
      cacheDir: join(config.server.dataDir, 'cache', 'artifacts'),
      timeoutMs: config.network.timeout,
      retries: config.network.retries,
      concurrency: config.network.concurrency,
    }),
  };
}

/**
 * Lookups shared for a moment: concurrent requests for one project wait for the same lookup, and
 * its result is reused for `windowMs` (a few seconds, never more than the metadata cache TTL), so
 * an install's page, metadata and file requests cost one lookup. Failures are not kept, and no
 * lookup outlives the threat-data index it was judged with.
 */
export class ProjectLookups {
  readonly #entries = new Map<string, { lookup: Promise<ProjectLookup>; expires: number; generation: number }>();

  constructor(
    private readonly context: ServerContext,
    private readonly source: PypiSource,
    private readonly windowMs: number,
  ) {}

  static for(context: ServerContext, source: PypiSource): ProjectLookups {
    return new ProjectLookups(context, source, Math.min(context.config.network.cacheTtl, LOOKUP_WINDOW_MS));
  }

  get(name: string): Promise<ProjectLookup> {
    const now = Date.now();
    const generation = this.context.decider.threatData.generation;
    const entry = this.#entries.get(name);
    if (entry && entry.expires > now && entry.generation === generation) return entry.lookup;
    if (this.#entries.size > MAX_REMEMBERED) this.#forgetExpired(now);
    const lookup = lookupProject(this.context, this.source, name);
    const fresh = { lookup, expires: Infinity, generation };
    this.#entries.set(name, fresh);
    lookup.then(
      (result) => {
        if (result.kind === 'upstream-error') this.#forget(name, fresh);
        else fresh.expires = Date.now() + this.windowMs;
      },
      () => this.#forget(name, fresh),
    );
    return lookup;
  }

  #forget(name: string, entry: object): void {
    if (this.#entries.get(name) === entry) this.#entries.delete(name);
  }

  #forgetExpired(now: number): void {
    for (const [name, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(name);
  }
}

const LOOKUP_WINDOW_MS = 5_000;
const MAX_REMEMBERED = 10_000;

/** `name` must already be a valid, PEP 503-normalised name. */
export async function lookupProject(context: ServerContext, source: PypiSource, name: string): Promise<ProjectLookup> {
  const rule = context.decider.internalRule('pypi', name);
  if (rule !== null && context.config.upstreams.pypi.internal === null) {
    return { kind: 'reserved', decision: await context.decider.decide({ ecosystem: 'pypi', name, version: null }, context.now()), rule };
  }
  return source.project(name);
}

async function lookupUpstreamProject(context: ServerContext, name: string, htmlOnly: HtmlOnlyIndexes): Promise<ProjectLookup> {
  const { config, decider } = context;
  const now = context.now();
  const rule = decider.internalRule('pypi', name);
  const internalUrl = config.upstreams.pypi.internal;
  const request = { ecosystem: 'pypi', name, version: null } as const;
  const source: PageSource =
    rule !== null && internalUrl !== null
      ? { simpleUrl: internalUrl, label: INTERNAL_SIMPLE, jsonApiUrl: null }
      : { simpleUrl: config.upstreams.pypi.simple, label: PUBLIC_SIMPLE, jsonApiUrl: config.upstreams.pypi.json };
  const [page, decision] = await Promise.all([
    fetchUpstreamPage(decider.http, source, name, htmlOnly).catch((error: unknown) => error as Error),
    decider.decide(request, now),
  ]);
  if (page instanceof Error) return upstreamFailure(page, source);
  if (!page.found) return { kind: 'not-found', message: `${source.label.name} at ${source.simpleUrl} has no project named ${name}` };
  const origin: PackageOrigin = rule === null ? 'public' : 'internal';
  const seen = new Set<string>();
  let files: JudgedFile[];
  // Publishers are read for the releases the new-publisher signal can still warn about.
  const { enabled, newPublisherWindow } = config.policy.history;
  const young = (history: ReleaseHistory) =>
    enabled
      ? history.releases
          .filter((release) => release.published !== null && now.getTime() - release.published.getTime() < newPublisherWindow)
          .map((release) => release.version)
      : [];
  const history = await pageHistoryWithPublishers(decider.http, name, page.page, source.simpleUrl, young);
  try {
    files = page.page.files.map((file): JudgedFile => {
      if (seen.has(file.filename))
        return {
          file,
          version: null,
          problem: `${file.filename} is listed more than once by the ${source.label.name}; only the first is served`,
          findings: [],
          warnings: [],
        };
      seen.add(file.filename);
      return judgeFile(context, name, file, source, history, now);
    });
  } catch (error) {
    // A check that throws must not leave files unjudged: nothing is served (and nothing is kept).
    const message = `depfence could not judge the files of ${name} (${(error as Error).message}), so none is served`;
    return { kind: 'upstream-error', status: UNAVAILABLE_STATUS, message, upstream: 'depfence policy checks' };
  }
  return { kind: 'view', view: { name, origin, source, decision, files, stale: page.stale } };
}

function judgeFile(
  context: ServerContext,
  name: string,
  file: DistFile,
  source: PageSource,
  history: ReleaseHistory,
  now: Date,
): JudgedFile {
  const identity = identifyFile(name, file.filename);
  const version = typeof identity === 'string' ? null : identity.version;
  const problem = fileProblem(file, identity, source, context.config.upstreams.pypi.files ?? []);
  if (problem !== null || version === null) return { file, version, problem, findings: [], warnings: [] };
  const verdict = judgeVersion(
    { ecosystem: 'pypi', name, canonicalName: name, version, published: file.uploadTime, history },
    context.decider.context,
    now,
  );
  const named = (findings: Finding[]) => findings.map((finding) => withFilename(finding, file.filename));
  return { file, version, problem: null, findings: named(verdict.findings), warnings: named(verdict.warnings) };
}

function fileProblem(
  file: DistFile,
  identity: ReturnType<typeof identifyFile>,
  source: PageSource,
  fileHosts: readonly string[],
): string | null {
  if (file.unreadable !== undefined)
    return `the ${source.label.name}'s entry for ${file.filename} cannot be read (${file.unreadable}), so it is not served`;
  const unsafe = filenameProblem(file.filename);
  if (unsafe) return `${file.filename}: ${unsafe}`;
  if (typeof identity === 'string') return identity;
  if (!isSha256Hex(file.hashes.sha256)) return `${source.label.name} gives no sha256 for ${file.filename}, so depfence cannot verify it`;
  const hostProblem = fileUrlProblem(new URL(file.url), source.simpleUrl, fileHosts);
  if (hostProblem) return `${file.filename} is not fetched: ${hostProblem}`;
  return null;
}

/** Age is per file: say which file a finding is about. */
function withFilename(finding: Finding, filename: string): Finding {
  return { ...finding, evidence: { ...finding.evidence, file: filename } };
}

function upstreamFailure(error: Error, source: PageSource): ProjectLookup {
  if (error instanceof UpstreamError) {
    const unavailable =
      error.code === 'EUPSTREAM_TIMEOUT' ||
      error.code === 'EUPSTREAM_UNREACHABLE' ||
      (error.code === 'EUPSTREAM_STATUS' && (error.status === undefined || error.status >= 500 || error.status === 429));
    const message = unavailable
      ? `cannot check this project because the ${source.label.name} is unavailable and no usable copy is cached (depfence fails closed): ${error.message}`
      : `the ${source.label.name} gave an answer depfence cannot use: ${error.message}`;
    return {
      kind: 'upstream-error',
      status: unavailable ? UNAVAILABLE_STATUS : 502,
      message,
      upstream: `${source.label.name} ${source.simpleUrl}`,
    };
  }
  const message = `reading the project page from the ${source.label.name} at ${source.simpleUrl} failed: ${error.message}`;
  return { kind: 'upstream-error', status: 502, message, upstream: `${source.label.name} ${source.simpleUrl}` };
}

/** The files a client may see: servable, and visible under the policy (or report mode, which shows everything servable). */
export function visibleFiles(view: ProjectView, mode: 'enforce' | 'report'): JudgedFile[] {
  return view.files.filter((judged) => judged.problem === null && (judged.findings.length === 0 || mode === 'report'));
}
