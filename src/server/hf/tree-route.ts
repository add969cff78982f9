// GET /-/hf/api/{models,datasets}/{repo}/tree/{rev}[/{path}][?recursive=true]: the repo's files and
// folders at the commit (what huggingface_hub's list_repo_tree and snapshot_download read), built
// from the same listing the resolve route verifies files against. One page, no cursor. Never an
// Xet hash: files are fetched through /resolve only.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RepoKind } from '../../policy/models/index.js';
import type { RepoInfoDocument } from '../../protocol/huggingface/repo-info.js';
import { sendJson } from '../respond.js';
import type { HfRepos } from './repos.js';
import { sendHubError } from './responses.js';

export interface TreeRequest {
  repo: RepoKind;
  id: string;
  revision: string;
  /** '' for the root. */
  path: string;
  recursive: boolean;
}

type TreeEntry =
  | { type: 'file'; oid: string; size: number; path: string; lfs?: { oid: string; size: number; pointerSize: number } }
  | { type: 'directory'; oid: string; size: 0; path: string };

export async function serveTree(repos: HfRepos, req: IncomingMessage, res: ServerResponse, request: TreeRequest): Promise<void> {
  const found = await repos.find(req, res, request.repo, request.id, request.revision, 'repo tree');
  if (!found) return;
  if (!repos.enforce(req, res, repos.decide(found.facts), 'repo tree')) return;
  const entries = treeEntries(found.document, request.path, request.recursive);
  if (entries.length === 0 && request.path !== '')
    return sendHubError(req, res, 404, `${request.path} is not a folder of ${request.id} at ${found.document.sha}`, {
      code: 'EntryNotFound',
    });
  sendJson(res, 200, entries, { 'cache-control': 'no-store', 'x-repo-commit': found.document.sha });
}

function treeEntries(document: RepoInfoDocument, folder: string, recursive: boolean): TreeEntry[] {
  const prefix = folder === '' ? '' : `${folder}/`;
  const files: TreeEntry[] = [];
  const folders = new Set<string>();
  for (const sibling of document.siblings) {
    if (!sibling.rfilename.startsWith(prefix)) continue;
    const rest = sibling.rfilename.slice(prefix.length).split('/');
    // Every folder between `folder` and the file (only the first level unless recursive).
    for (let depth = 1; depth < rest.length && (recursive || depth === 1); depth++) folders.add(prefix + rest.slice(0, depth).join('/'));
    if (!recursive && rest.length > 1) continue;
    const size = sibling.lfs?.size ?? sibling.size ?? 0;
    files.push({
      type: 'file',
      oid: sibling.blobId ?? '',
      size,
      path: sibling.rfilename,
      ...(sibling.lfs && { lfs: { oid: sibling.lfs.sha256, size: sibling.lfs.size, pointerSize: lfsPointerSize(sibling.lfs) } }),
    });
  }
  const directories: TreeEntry[] = [...folders].map((path) => ({
    type: 'directory',
    oid: createHash('sha1').update(`tree ${document.sha} ${path}`).digest('hex'),
    size: 0,
    path,
  }));
  return [...directories, ...files].sort((a, b) => a.path.localeCompare(b.path));
}

/** The Hub gives it; otherwise the size of the standard pointer file for that sha256 and size. */
function lfsPointerSize(lfs: { sha256: string; size: number; pointerSize?: unknown }): number {
  if (typeof lfs.pointerSize === 'number') return lfs.pointerSize;
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${lfs.sha256}\nsize ${lfs.size}\n`.length;
}
