// GET /-/hf/api/{models,datasets}/{repo}[/revision/{rev}]: the Hub's repo information, passed on
// when the repo passes the policy. The revision is resolved to a commit, and the document is the
// one for that commit (its `sha`), so a client's later /resolve/{sha}/… requests name it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RepoKind } from '../../policy/models/index.js';
import { sendJson } from '../respond.js';
import type { HfRepos } from './repos.js';

export async function serveRepoInfo(
  repos: HfRepos,
  req: IncomingMessage,
  res: ServerResponse,
  kind: RepoKind,
  id: string,
  revision: string | null,
): Promise<void> {
  const found = await repos.find(req, res, kind, id, revision ?? 'main', 'repo info');
  if (!found) return;
  const decision = repos.decide(found.facts);
  if (!repos.enforce(req, res, decision, 'repo info')) return;
  sendJson(res, 200, found.document, { 'cache-control': 'no-store', 'x-repo-commit': found.facts.info.value.commit });
}
