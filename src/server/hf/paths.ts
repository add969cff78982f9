// The Hugging Face URL space under /-/hf/, as the Hub's clients build it (huggingface_hub's
// hf_hub_url, repo_info and list_repo_tree, @huggingface/hub's fileDownloadInfo and modelInfo):
//   api/models/{repo}[/revision/{rev}]      api/datasets/{repo}[/revision/{rev}]
//   api/models/{repo}/tree/{rev}[/{path}]   api/datasets/{repo}/tree/{rev}[/{path}]
//   {repo}/resolve/{rev}/{path}             datasets/{repo}/resolve/{rev}/{path}
// A repo is `org/name` or a legacy one-segment `name`. The raw path is parsed (never a normalised
// one), each segment decoded once, and anything that could step outside a repo is refused.
import type { RepoKind } from '../../policy/models/index.js';
import { REPO_ID_RULE, validRepoId, validRevision } from '../../protocol/huggingface/repo-id.js';

export const HF_PREFIX = '/-/hf/';

export type HfPath =
  | { kind: 'info'; repo: RepoKind; id: string; revision: string | null }
  | { kind: 'tree'; repo: RepoKind; id: string; revision: string; path: string; recursive: boolean }
  | { kind: 'resolve'; repo: RepoKind; id: string; revision: string; file: string }
  | { kind: 'unknown' }
  | { kind: 'bad'; message: string };

export function parseHfPath(rawUrl: string): HfPath {
  const rawPath = rawUrl.split('?', 1)[0]!;
  if (!rawPath.startsWith(HF_PREFIX)) return { kind: 'unknown' };
  let segments: string[];
  try {
    segments = rawPath
      .slice(HF_PREFIX.length)
      .split('/')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return { kind: 'bad', message: 'the path is not valid percent-encoding' };
  }
  if (segments[0] === 'api') return parseApi(segments.slice(1), new URLSearchParams(rawUrl.split('?')[1] ?? ''));
  const repo: RepoKind = segments[0] === 'datasets' ? 'dataset' : 'model';
  const rest = repo === 'dataset' ? segments.slice(1) : segments;
  const at = rest.indexOf('resolve');
  if (at !== 1 && at !== 2) return { kind: 'unknown' };
  const id = repoId(rest.slice(0, at));
  if (typeof id !== 'string') return id;
  const revision = rest[at + 1];
  const file = rest.slice(at + 2);
  if (!revision || !validRevision(revision))
    return { kind: 'bad', message: 'the revision is missing or holds characters no branch, tag or commit has' };
  if (file.length === 0 || file.some((segment) => segment === '' || segment === '.' || segment === '..' || /[/\\\0-\x1f]/.test(segment))) {
    return { kind: 'bad', message: 'the file path is empty or steps outside the repo' };
  }
  return { kind: 'resolve', repo, id, revision, file: file.join('/') };
}

function parseApi(segments: string[], query: URLSearchParams): HfPath {
  const [collection, ...rest] = segments;
  if (collection !== 'models' && collection !== 'datasets') return { kind: 'unknown' };
  const repo: RepoKind = collection === 'models' ? 'model' : 'dataset';
  const tree = rest.indexOf('tree');
  if (tree === 1 || tree === 2) {
    const id = repoId(rest.slice(0, tree));
    if (typeof id !== 'string') return id;
    const [revision, ...path] = rest.slice(tree + 1);
    if (!revision || !validRevision(revision))
      return { kind: 'bad', message: 'the revision is missing or holds characters no branch, tag or commit has' };
    const folder = path.filter((segment) => segment !== '');
    if (folder.some((segment) => segment === '.' || segment === '..' || /[/\\\0-\x1f]/.test(segment)))
      return { kind: 'bad', message: 'the folder path steps outside the repo' };
    return {
      kind: 'tree',
      repo,
      id,
      revision,
      path: folder.join('/'),
      recursive: query.get('recursive') === 'true' || query.get('recursive') === '1',
    };
  }
  // {repo} is one or two segments; what may follow is /revision/{rev}.
  for (const length of [2, 1]) {
    const tail = rest.slice(length);
    if (tail.length === 0 || (tail.length === 2 && tail[0] === 'revision')) {
      const id = repoId(rest.slice(0, length));
      if (typeof id !== 'string') return id;
      const revision = tail[1] ?? null;
      if (revision !== null && !validRevision(revision))
        return { kind: 'bad', message: 'the revision holds characters no branch, tag or commit has' };
      return { kind: 'info', repo, id, revision };
    }
  }
  return { kind: 'unknown' };
}

function repoId(parts: string[]): string | Extract<HfPath, { kind: 'bad' }> {
  if (!validRepoId(parts)) return { kind: 'bad', message: REPO_ID_RULE };
  return parts.join('/');
}
