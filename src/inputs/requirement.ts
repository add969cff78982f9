// One PEP 508 requirement or pip requirement (`name[extras] specifier ; marker`, `name @ URL`, a
// VCS or archive URL, a local path or archive): what it points at, a name on the index, a local
// path, or a URL (a direct reference, which bypasses every index).

export type RequirementTarget =
  | { kind: 'name'; name: string; version: string | null }
  | { kind: 'url'; url: string }
  | { kind: 'local'; path: string }
  | { kind: 'unknown' };

const PYPI_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/s;
export const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const VCS = /^(git|hg|svn|bzr)\+/i;
const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i;

/** A PEP 508 requirement or a pip requirement line (options after it, like `--hash`, stripped). */
export function classifyRequirement(text: string): RequirementTarget {
  const requirement = text
    .trim()
    .split(/\s+--?[A-Za-z]/, 1)[0]!
    .trim();
  if (requirement === '') return { kind: 'unknown' };
  if (VCS.test(requirement) || URL_SCHEME.test(requirement)) return urlTarget(requirement.split(/\s+;/, 1)[0]!.trim());
  const direct = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*@\s*(\S+)/.exec(requirement);
  if (direct) return urlTarget(direct[3]!);
  const head = requirement.split(/\s*;/, 1)[0]!.trim();
  if (/^[.~/\\]/.test(head) || head.includes('/') || head.includes('\\') || ARCHIVE.test(head)) return { kind: 'local', path: head };
  const match = PYPI_NAME.exec(requirement.split(';', 1)[0]!.trim());
  if (!match) return { kind: 'unknown' };
  const specifier = match[3]!.trim().replace(/^\(|\)$/g, '');
  const pin = /^===?\s*([^\s,;*]+)$/.exec(specifier);
  return { kind: 'name', name: match[1]!, version: pin ? pin[1]! : null };
}

function urlTarget(url: string): RequirementTarget {
  if (/^file:/i.test(url)) return { kind: 'local', path: url };
  return { kind: 'url', url };
}
