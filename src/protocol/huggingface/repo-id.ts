// Hugging Face repo ids and revisions as the Hub accepts them: `org/name` (or a legacy one-segment
// `name`) of letters, digits, `-`, `_` and `.`, up to 96 characters a segment, no `--` or `..`;
// a revision is a branch, tag or commit (git ref rules, `refs/pr/1` included).

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export const REPO_ID_RULE = 'a repo id is `org/name`: letters, digits, `-`, `_` and `.`, up to 96 characters each';

export function validRepoId(parts: readonly string[]): boolean {
  return parts.length >= 1 && parts.length <= 2 && parts.every((part) => NAME.test(part) && !part.includes('--') && !part.includes('..'));
}

export function validRevision(revision: string): boolean {
  return (
    revision.length > 0 &&
    revision.length <= 256 &&
    !/[\0-\x20\\~^:?*[]/.test(revision) &&
    !revision.split('/').some((part) => part === '' || part === '.' || part === '..')
  );
}

export interface RepoSpec {
  kind: 'model' | 'dataset';
  id: string;
  revision: string | null;
}

/** `org/name[@rev]` or `datasets/org/name[@rev]` → the spec, or a reason it is not one. */
export function parseRepoSpec(text: string): RepoSpec | string {
  const at = text.indexOf('@');
  const path = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? null : text.slice(at + 1);
  const dataset = path.startsWith('datasets/');
  const parts = (dataset ? path.slice('datasets/'.length) : path).split('/');
  if (!validRepoId(parts)) return REPO_ID_RULE;
  if (revision !== null && !validRevision(revision)) return `"${revision}" is not a branch, tag or commit`;
  return { kind: dataset ? 'dataset' : 'model', id: parts.join('/'), revision };
}
