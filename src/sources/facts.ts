// Gather the PackageFacts the policy reads, saying honestly how each fact was (not) obtained:
// - online: metadata (existence, publish times) from the registry and downloads from the live API,
//   concurrently; when the downloads API fails, the bundled snapshot stands in if it lists the name
//   (and an API that did not answer is left alone for a while, see breaker.ts);
// - offline: nothing is asked upstream; existence and publish times are `not-evaluated`, downloads
//   come from the snapshot (a listed name: its count; an unlisted one: fewer than the floor).
// Failures become `unavailable` facts carrying the UpstreamError's message. This never throws.

import { canonicalName } from '../names/index.js';
import type { DownloadCount, Ecosystem, Fact, PackageFacts, PublishTimes, ScopeSibling, ReleaseHistory } from '../policy/types.js';
import { fetchNpmDownloads, fetchPypiDownloads, NPM_DOWNLOADS, PYPISTATS, type LiveDownloads } from './downloads.js';
import type { Breaker } from './breaker.js';
import { UpstreamError, type HttpClient } from './http.js';
import { fetchNpmPackument, npmPublishTimes } from './npm-metadata.js';
import { fetchPypiProject, pypiPublishTimes } from './pypi-metadata.js';
import { npmReleaseHistory, pypiReleaseHistory } from './release-history.js';
import { fetchUpstreamPage, HtmlOnlyIndexes, PUBLIC_SIMPLE } from './pypi-page.js';
import { pageHistoryWithPublishers } from './pypi-publishers.js';
import { currentVersion } from '../policy/checks/history.js';

/** What facts.ts needs of a download snapshot (see snapshot.ts). Looked up by canonical name. */
export interface SnapshotLookup {
  floor: number;
  covers: string;
  count(canonicalName: string): number | undefined;
}

export interface UpstreamUrls {
  npm: { registry: string; downloads: string };
  pypi: { simple: string; json: string; downloads: string };
}

export interface FactSources {
  http: HttpClient;
  upstreams: UpstreamUrls;
  /** The download snapshot of the spec's ecosystem, or null if there is none. */
  snapshot: SnapshotLookup | null;
  offline: boolean;
  /** Cache TTL for live download counts (they change daily); default: the client's TTL. */
  downloadsTtlMs?: number;
  /** Skips a download API that just failed to answer, for a while (the snapshot stands in). */
  downloadsBreaker?: Breaker;
  /** npm: the most-downloaded package of a scope (without the @), from the download snapshot. */
  scopeLeader?: (scope: string) => { name: string; downloads: number } | undefined;
}

export interface PackageSpec {
  ecosystem: Ecosystem;
  name: string;
  version: string | null;
}

const OFFLINE = 'offline mode: the upstream registry is not asked';

export async function gatherFacts(spec: PackageSpec, sources: FactSources): Promise<PackageFacts> {
  const canonical = canonicalName(spec.ecosystem, spec.name);
  const base = { ecosystem: spec.ecosystem, name: spec.name, canonicalName: canonical, version: spec.version };
  if (sources.offline) {
    const notAsked = { state: 'not-evaluated', reason: OFFLINE } as const;
    return {
      ...base,
      exists: notAsked,
      publishTimes: notAsked,
      history: notAsked,
      downloads: snapshotDownloads(spec.ecosystem, canonical, sources.snapshot),
    };
  }
  const [metadata, downloads] = await Promise.all([liveMetadata(spec, sources), liveDownloads(spec, canonical, sources)]);
  const scope = await scopeSibling(spec, metadata.publishTimes, sources);
  return { ...base, ...metadata, downloads, ...(scope && { scope }) };
}

const YOUNG = 365 * 86_400_000;

/**
 * For a scoped npm package under a year old: its scope's most-used package (one more packument
 * fetch, cached like any other), so the policy can tell a project's new platform binary from a
 * stranger's new package.
 */
async function scopeSibling(spec: PackageSpec, times: Fact<PublishTimes>, sources: FactSources): Promise<Fact<ScopeSibling> | null> {
  if (spec.ecosystem !== 'npm' || !spec.name.startsWith('@') || times.state !== 'known' || !sources.scopeLeader) return null;
  if (times.value.created !== null && Date.now() - times.value.created.getTime() >= YOUNG) return null;
  const leader = sources.scopeLeader(spec.name.slice(1, spec.name.indexOf('/')).toLowerCase());
  if (!leader || leader.name.toLowerCase() === spec.name.toLowerCase()) return null;
  const where = `npm registry ${sources.upstreams.npm.registry}`;
  try {
    const answer = await fetchNpmPackument(sources.http, sources.upstreams.npm.registry, leader.name);
    if (!answer.found) return { state: 'unavailable', reason: `the registry has no package named ${leader.name}`, source: where };
    const value = {
      ...leader,
      times: npmPublishTimes(answer.packument, answer.unreadableVersions),
      history: npmReleaseHistory(answer.packument),
    };
    return { state: 'known', value, source: where };
  } catch (error) {
    return { state: 'unavailable', reason: messageOf(error), source: where };
  }
}

/** Facts for many packages; upstream concurrency is bounded by the HTTP client, and repeated names share requests. */
export function gatherManyFacts(specs: readonly PackageSpec[], sources: FactSources): Promise<PackageFacts[]> {
  return Promise.all(specs.map((spec) => gatherFacts(spec, sources)));
}

// ── metadata ───────────────────────────────────────────────────────────────────────────────────

interface MetadataFacts {
  exists: Fact<boolean>;
  publishTimes: Fact<PublishTimes>;
  history: Fact<ReleaseHistory>;
}

async function liveMetadata(spec: PackageSpec, sources: FactSources): Promise<MetadataFacts> {
  const { http, upstreams } = sources;
  const where = spec.ecosystem === 'npm' ? `npm registry ${upstreams.npm.registry}` : `PyPI JSON API ${upstreams.pypi.json}`;
  try {
    const answer =
      spec.ecosystem === 'npm'
        ? await fetchNpmPackument(http, upstreams.npm.registry, spec.name).then((a) =>
            a.found
              ? { ...a, times: () => npmPublishTimes(a.packument, a.unreadableVersions), history: () => npmReleaseHistory(a.packument) }
              : a,
          )
        : await fetchPypiProject(http, upstreams.pypi.json, spec.name).then((a) =>
            a.found ? { ...a, times: () => pypiPublishTimes(a.releases), history: () => pypiReleaseHistory(a.releases) } : a,
          );
    if (!answer.found) {
      const missing = { state: 'unavailable', reason: `the ${where} has no package named ${spec.name}`, source: where } as const;
      return { exists: { state: 'known', value: false, source: where }, publishTimes: missing, history: missing };
    }
    const source = answer.stale ? `${where} (cached copy: the registry failed to answer just now)` : where;
    const history: Fact<ReleaseHistory> = { state: 'known', value: answer.history(), source };
    return {
      exists: { state: 'known', value: true, source },
      publishTimes: { state: 'known', value: answer.times(), source },
      history: spec.ecosystem === 'pypi' ? await pypiIndexHistory(spec, history, sources) : history,
    };
  } catch (error) {
    const unavailable = { state: 'unavailable', reason: messageOf(error), source: where } as const;
    return { exists: unavailable, publishTimes: unavailable, history: unavailable };
  }
}

const htmlOnlyIndexes = new HtmlOnlyIndexes();

/**
 * A PyPI project's history as the firewall's index reads it (pypi-page.ts, the same fetch and
 * reader): the simple page's files say which have PEP 740 provenance, and the provenance of the
 * release asked about and a few before it names their Trusted Publishers. The JSON API has
 * neither; when the simple index does not answer, its history stands in and says what it lacks.
 */
async function pypiIndexHistory(
  spec: PackageSpec,
  fromJsonApi: Fact<ReleaseHistory> & { state: 'known' },
  sources: FactSources,
): Promise<Fact<ReleaseHistory>> {
  const { simple, json } = sources.upstreams.pypi;
  const source = { simpleUrl: simple, label: PUBLIC_SIMPLE, jsonApiUrl: json };
  try {
    const page = await fetchUpstreamPage(sources.http, source, canonicalName('pypi', spec.name), htmlOnlyIndexes);
    if (!page.found) throw new Error(`${PUBLIC_SIMPLE.name} at ${simple} has no project named ${spec.name}`);
    const target = (history: ReleaseHistory) =>
      [spec.version ?? currentVersion('pypi', history)].filter((version): version is string => version !== null);
    const value = await pageHistoryWithPublishers(sources.http, page.page.name, page.page, simple, target);
    return { state: 'known', value, source: `${PUBLIC_SIMPLE.name} ${page.url} (files and their PEP 740 provenance)` };
  } catch (error) {
    return {
      ...fromJsonApi,
      source: `${fromJsonApi.source}; attestations and publishers not checked: the ${PUBLIC_SIMPLE.name} did not answer (${messageOf(error)})`,
    };
  }
}

// ── downloads ──────────────────────────────────────────────────────────────────────────────────

async function liveDownloads(spec: PackageSpec, canonical: string, sources: FactSources): Promise<Fact<DownloadCount>> {
  const { http, upstreams, downloadsBreaker } = sources;
  const api = spec.ecosystem === 'npm' ? NPM_DOWNLOADS.name : PYPISTATS.name;
  const apiUrl = spec.ecosystem === 'npm' ? upstreams.npm.downloads : upstreams.pypi.downloads;
  const admission = downloadsBreaker ? await downloadsBreaker.admit(apiUrl) : { skip: null, done: () => {} };
  // An open breaker sends nothing, but the counts already cached still stand (as after a failed request).
  const notAsked = admission.skip === null ? null : new UpstreamError('EUPSTREAM_UNREACHABLE', apiUrl, admission.skip);
  const options = {
    ...(sources.downloadsTtlMs !== undefined && { ttlMs: sources.downloadsTtlMs }),
    ...(notAsked && { knownFailure: notAsked }),
  };
  let live: LiveDownloads;
  try {
    live =
      spec.ecosystem === 'npm'
        ? await fetchNpmDownloads(http, apiUrl, spec.name, options)
        : await fetchPypiDownloads(http, apiUrl, spec.name, options);
  } catch (error) {
    if (error instanceof UpstreamError && error !== notAsked) {
      const reason = `the ${api} did not answer when asked about ${spec.name}: ${messageOf(error)}`;
      if (apiIsDown(error)) downloadsBreaker?.trip(apiUrl, reason);
      else if (isServerError(error)) downloadsBreaker?.serverError(apiUrl, reason);
    }
    return snapshotFallbackDownloads(canonical, sources.snapshot, api, messageOf(error));
  } finally {
    if (admission.skip === null) admission.done();
  }
  if (notAsked === null) downloadsBreaker?.reset(apiUrl);
  return { state: 'known', value: live.count, source: live.source };
}

/** Not answering or rate-limiting: asking again per package would only wait it out again. */
function apiIsDown(error: UpstreamError): boolean {
  if (error.code === 'EUPSTREAM_TIMEOUT' || error.code === 'EUPSTREAM_UNREACHABLE') return true;
  return error.code === 'EUPSTREAM_STATUS' && error.status === 429;
}

function isServerError(error: UpstreamError): boolean {
  return error.code === 'EUPSTREAM_STATUS' && error.status !== undefined && error.status >= 500;
}

/** The live API could not answer: the snapshot's count if it has one, else the fact is unavailable (fail closed). */
export function snapshotFallbackDownloads(
  canonical: string,
  snapshot: SnapshotLookup | null,
  api: string,
  reason: string,
): Fact<DownloadCount> {
  const count = snapshot?.count(canonical);
  if (snapshot && count !== undefined) {
    return {
      state: 'known',
      value: { exactly: count },
      source: `download snapshot (${snapshot.covers}), because the live ${api} failed: ${reason}`,
    };
  }
  return { state: 'unavailable', reason, source: api };
}

function snapshotDownloads(ecosystem: Ecosystem, canonical: string, snapshot: SnapshotLookup | null): Fact<DownloadCount> {
  if (!snapshot) {
    return {
      state: 'unavailable',
      reason: `offline mode and no ${ecosystem} download snapshot to read counts from`,
      source: 'download snapshot',
    };
  }
  const count = snapshot.count(canonical);
  if (count !== undefined) return { state: 'known', value: { exactly: count }, source: `download snapshot (${snapshot.covers})` };
  return {
    state: 'known',
    value: { fewerThan: snapshot.floor },
    source: `download snapshot (${snapshot.covers}): not listed, so fewer than ${snapshot.floor}`,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
