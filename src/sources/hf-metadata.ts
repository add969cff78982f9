// Repo information from the Hugging Face Hub: a revision (branch, tag or commit) resolved to its
// commit, with the file listing and the facts the model policy reads. One GET per repo and
// revision through the shared metadata client (timeouts, retries, cache); answers about a commit
// never change, so they are cached for a day.
import type { RepoFacts, RepoFile, RepoInfo, RepoKind } from '../policy/models/index.js';
import { repoInfoDocument, type RepoInfoDocument } from '../protocol/huggingface/repo-info.js';
import { UpstreamError, type HttpClient, type UpstreamLabel } from './http.js';
import { validator } from './validate.js';

export const HUB_LABEL: UpstreamLabel = { name: 'Hugging Face Hub', setting: 'upstreams.huggingface.endpoint' };
const COMMIT_TTL_MS = 86_400_000;

export type RepoLookup =
  | { kind: 'found'; facts: RepoFacts & { info: { state: 'known'; value: RepoInfo } }; document: RepoInfoDocument }
  | { kind: 'not-found'; message: string; code?: 'RepoNotFound' | 'RevisionNotFound' }
  | { kind: 'unavailable'; facts: RepoFacts; message: string };

export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

export function repoApiUrl(endpoint: string, kind: RepoKind, id: string, revision: string): string {
  return `${endpoint}api/${kind}s/${id}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** The Hub token depfence holds (upstreams.huggingface.token) as an Authorization header, if any. */
export function hubAuthorization(hub: { token?: string | null }): string | undefined {
  return hub.token ? `Bearer ${hub.token}` : undefined;
}

export async function lookupRepo(
  http: HttpClient,
  endpoint: string,
  kind: RepoKind,
  id: string,
  revision: string,
  cacheTtlMs?: number,
  authorization?: string,
): Promise<RepoLookup> {
  const url = repoApiUrl(endpoint, kind, id, revision);
  const what = `${kind === 'dataset' ? 'dataset ' : ''}${id} at revision ${revision}`;
  try {
    const answer = await http.getJson(url, {
      upstream: HUB_LABEL,
      validate: validator(repoInfoDocument),
      ...(authorization && { authorization }),
      ...(isCommitId(revision) ? { ttlMs: COMMIT_TTL_MS } : cacheTtlMs !== undefined && { ttlMs: cacheTtlMs }),
    });
    if (answer.status === 404 || !answer.body) return { kind: 'not-found', message: `the Hub has no ${what}` };
    const document = answer.body;
    if (isCommitId(revision) && document.sha !== revision) {
      return unavailable(kind, id, `the Hub answered for commit ${document.sha} when asked for ${revision}`, url);
    }
    return { kind: 'found', facts: { kind, id, info: { state: 'known', value: repoInfoOf(document), source: url } }, document };
  } catch (error) {
    // The Hub answers 401 for a repo that does not exist and for a private one alike.
    if (error instanceof UpstreamError && error.status === 401)
      return { kind: 'not-found', message: `the Hub has no public ${what} (it answered 401)` };
    return unavailable(kind, id, (error as Error).message, url);
  }
}

function unavailable(kind: RepoKind, id: string, message: string, source: string): RepoLookup {
  return { kind: 'unavailable', facts: { kind, id, info: { state: 'unavailable', reason: message, source } }, message };
}

/** The facts the model policy reads, from the Hub's document. */
export function repoInfoOf(document: RepoInfoDocument): RepoInfo {
  const created = document.createdAt ? new Date(document.createdAt) : null;
  return {
    commit: document.sha,
    createdAt: created && !Number.isNaN(created.getTime()) ? created : null,
    downloads: document.downloads ?? null,
    gated: document.gated ?? false,
    disabled: document.disabled ?? false,
    autoMap: document.config?.auto_map !== undefined && document.config.auto_map !== null,
    files: document.siblings.map((entry): RepoFile => ({
      path: entry.rfilename,
      size: entry.lfs?.size ?? entry.size ?? -1,
      blobId: entry.blobId ?? null,
      lfsSha256: entry.lfs?.sha256 ?? null,
    })),
  };
}
