// HEAD and GET /-/hf/[datasets/]{repo}/resolve/{rev}/{path}: a file of a repo, as the Hub serves it.
//
// The revision is resolved to its commit once. Asked by branch or tag, the answer is a redirect to
// the same file at that commit on the firewall (with the Hub's metadata headers: X-Repo-Commit,
// X-Linked-Etag, X-Linked-Size), so the bytes a client then fetches are the commit's whatever the
// branch does meanwhile. Asked by commit, a HEAD answers from the listing; a GET fetches the file
// (following the Hub's redirect to its CDN only to hosts the configuration names), checks its
// bytes against the listing's sha256 (LFS) or git blob id, inspects them (pickle scan, safetensors
// header), and only then caches and serves them, with byte ranges for resumed downloads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkFileContent, checkFileLock, type RepoFile, type RepoKind } from '../../policy/models/index.js';
import type { Finding } from '../../policy/index.js';
import { configDeclaresAutoMap } from '../../protocol/huggingface/repo-info.js';
import { isPickleName } from '../../protocol/models/inspect.js';
import { ArtifactError, type StoredArtifact } from '../../sources/artifacts.js';
import { HUB_LABEL } from '../../sources/hf-metadata.js';
import { UpstreamError } from '../../sources/http.js';
import { readFile } from 'node:fs/promises';
import type { ServerContext } from '../context.js';
import { fileUrlProblem } from '../file-hosts.js';
import { sendStoredFile } from '../stored-file.js';
import { HF_PREFIX } from './paths.js';
import type { FoundRepo, HfRepos } from './repos.js';
import { sendHubError } from './responses.js';
import type { HfSource } from './source.js';
import { RefusedContent, type FileVetter } from './vetting.js';

export interface ResolveRequest {
  repo: RepoKind;
  id: string;
  revision: string;
  file: string;
}

export interface ResolveDeps {
  context: ServerContext;
  repos: HfRepos;
  source: HfSource;
  vetter: FileVetter;
}

export async function serveResolve(deps: ResolveDeps, req: IncomingMessage, res: ServerResponse, request: ResolveRequest): Promise<void> {
  const { repos } = deps;
  const subject = `file ${request.file}`;
  const found = await repos.find(req, res, request.repo, request.id, request.revision, subject);
  if (!found) return;
  const info = found.facts.info.value;
  const commitHeader = { 'x-repo-commit': info.commit };
  const file = info.files.find((candidate) => candidate.path === request.file);
  if (!file)
    return sendHubError(req, res, 404, deps.source.missingFile(request.repo, request.id, info.commit, request.file), {
      code: 'EntryNotFound',
      headers: commitHeader,
    });

  const digest = file.lfsSha256 ?? file.blobId;
  const remembered = digest ? deps.vetter.remembered(digest, file.path) : undefined;
  const byName: Finding[] = [
    ...checkFileLock(repos.policy.lock, request.repo, request.id, file),
    ...namedFindings(deps, file, digest, remembered ? checkFileContent(file.path, remembered) : []),
  ];
  if (!repos.enforce(req, res, repos.decide(found.facts, byName), subject, commitHeader)) return;

  const metadata = fileHeaders(file, info.commit);
  if (request.revision !== info.commit) {
    res.writeHead(302, { location: firewallUrl(request, info.commit), 'content-length': '0', ...metadata });
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(file.size),
      'accept-ranges': 'bytes',
      ...metadata,
    });
    res.end();
    return;
  }
  await serveVerified(deps, req, res, request, found, file, metadata);
}

/** Findings from the name and the listing alone: a pickle under `pickle: deny`, a file that cannot be verified. */
function namedFindings(deps: ResolveDeps, file: RepoFile, digest: string | null, remembered: Finding[]): Finding[] {
  const findings = [...remembered];
  if (deps.repos.policy.policy.pickle === 'deny' && isPickleName(file.path)) {
    findings.push({
      check: 'pickle',
      severity: 'deny',
      message: `${file.path} is pickle-based (a pickle, a PyTorch checkpoint, or a NumPy array file numpy.load may unpickle), and policy.models.pickle is deny: pickles can run code when loaded`,
      evidence: { path: file.path },
    });
  }
  if (digest === null || file.size < 0) {
    findings.push({
      check: 'integrity',
      severity: 'deny',
      message: `the Hub lists ${file.path} with no sha256 or git blob id and size, so its bytes cannot be verified`,
      evidence: { path: file.path },
    });
  }
  return findings;
}

async function serveVerified(
  deps: ResolveDeps,
  req: IncomingMessage,
  res: ServerResponse,
  request: ResolveRequest,
  found: FoundRepo,
  file: RepoFile,
  metadata: Record<string, string>,
): Promise<void> {
  const { context, repos, vetter } = deps;
  const subject = `file ${request.file}`;
  const hf = context.config.upstreams.huggingface;
  const digest = (file.lfsSha256 ?? file.blobId)!;
  let stored: StoredArtifact;
  try {
    stored = await deps.source.artifacts.ensure({
      url: upstreamFileUrl(hf.endpoint, request, found.facts.info.value.commit),
      sha256: file.lfsSha256,
      ...(file.blobId && { gitBlob: file.blobId }),
      size: file.size,
      upstream: HUB_LABEL,
      allowUrl: (target) => fileUrlProblem(target, hf.endpoint, hf.files, 'upstreams.huggingface.files') === null,
      vet: async (downloaded) => {
        const inspection = await vetter.inspect(downloaded, file.path, digest);
        // Refused bytes are never cached (report mode logs the refusal and serves them).
        if (inspection.problem !== null && context.config.mode === 'enforce') throw new RefusedContent(inspection);
      },
    });
  } catch (error) {
    if (error instanceof RefusedContent) {
      repos.enforce(req, res, repos.decide(found.facts, checkFileContent(file.path, error.inspection)), subject);
      if (!res.headersSent) sendHubError(req, res, 403, `${request.file} is refused: ${error.message}`);
      return;
    }
    return sendFetchFailure(deps, req, res, found, request, error);
  }
  const inspection = await vetter.inspect(stored.path, file.path, digest);
  const findings = checkFileContent(file.path, inspection);
  // A config.json is read as transformers reads it: an auto_map there is remote code even if the listing did not say so.
  const info = found.facts.info.value;
  const autoMap = file.path === 'config.json' && !info.autoMap && configDeclaresAutoMap(await readFile(stored.path, 'utf8'));
  const decision = repos.decide(found.facts, findings, autoMap ? { ...info, autoMap: true } : undefined);
  if (!repos.enforce(req, res, decision, subject, { 'x-repo-commit': info.commit })) return;
  sendStoredFile(req, res, stored, { contentType: 'application/octet-stream', etag: metadata.etag!, extra: metadata });
}

function sendFetchFailure(
  deps: ResolveDeps,
  req: IncomingMessage,
  res: ServerResponse,
  found: FoundRepo,
  request: ResolveRequest,
  error: unknown,
): void {
  if (error instanceof ArtifactError) {
    const integrity: Finding = {
      check: 'integrity',
      severity: 'deny',
      message: `${request.file} was not served: ${error.message}`,
      evidence: { path: request.file, code: error.code },
    };
    deps.repos.enforce(req, res, deps.repos.decide(found.facts, [integrity]), `file ${request.file}`);
    if (!res.headersSent) sendHubError(req, res, 502, integrity.message);
    return;
  }
  const unavailable =
    error instanceof UpstreamError &&
    (error.code === 'EUPSTREAM_TIMEOUT' || error.code === 'EUPSTREAM_UNREACHABLE' || (error.status ?? 500) >= 500);
  sendHubError(req, res, unavailable ? 503 : 502, `${request.file} could not be fetched from the Hub: ${(error as Error).message}`);
}

/** The headers the Hub's clients read: the commit, the ETag (LFS: the sha256; git: the blob id) and the size. */
function fileHeaders(file: RepoFile, commit: string): Record<string, string> {
  const etag = `"${file.lfsSha256 ?? file.blobId}"`;
  return { 'x-repo-commit': commit, etag, 'x-linked-etag': etag, 'x-linked-size': String(file.size) };
}

function repoPath(request: Pick<ResolveRequest, 'repo' | 'id'>): string {
  return `${request.repo === 'dataset' ? 'datasets/' : ''}${request.id}`;
}

function encodedFile(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** The same file at the commit, on the firewall (a path: clients resolve it against the URL they asked). */
function firewallUrl(request: ResolveRequest, commit: string): string {
  return `${HF_PREFIX}${repoPath(request)}/resolve/${commit}/${encodedFile(request.file)}`;
}

function upstreamFileUrl(endpoint: string, request: ResolveRequest, commit: string): string {
  return `${endpoint}${repoPath(request)}/resolve/${commit}/${encodedFile(request.file)}`;
}
