// The packages a command names, for the pre-flight check, and what an npm argument points at: a
// name on the registry, a local path, git or a URL (which bypass every registry).
import { URL_SCHEME } from '../inputs/requirement.js';
import type { Ecosystem } from '../names/index.js';

export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  /** An exact version, or null for a range or none (the package as a whole is judged). */
  version: string | null;
  /** "the command line", "requirements.txt:4", "package.json dependencies". */
  origin: string;
}

export type NpmSpecTarget =
  | { kind: 'registry'; name: string; version: string | null }
  | { kind: 'git'; url: string }
  | { kind: 'remote'; url: string }
  | { kind: 'local'; path: string };

const NPM_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9_.][\w.-]*$/i;
const EXACT_SEMVER = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

/** An npm install argument (`a`, `b@2`, `@s/c@^1`, `x@npm:y@1`, a URL, a git spec, a path). */
export function classifyNpmArg(spec: string): NpmSpecTarget {
  const text = spec.trim();
  if (
    /^(file:|link:|workspace:)/.test(text) ||
    /^(\.{1,2}|~)?[/\\]/.test(text) ||
    text === '.' ||
    text === '..' ||
    (/\.(tgz|tar\.gz|tar)$/i.test(text) && !URL_SCHEME.test(text))
  ) {
    return { kind: 'local', path: text };
  }
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/i.test(text) || /^[^@/:\s]+\/[^/:\s]+(#.*)?$/.test(text))
    return { kind: 'git', url: text };
  if (URL_SCHEME.test(text)) return { kind: 'remote', url: text };
  const at = text.indexOf('@', 1);
  const name = at === -1 ? text : text.slice(0, at);
  const range = at === -1 ? '' : text.slice(at + 1);
  if (range.startsWith('npm:')) return classifyNpmArg(range.slice(4));
  if (!NPM_NAME.test(name)) return { kind: 'local', path: text };
  const dependency = classifyNpmRange(range);
  if (dependency.kind !== 'registry') return dependency;
  return { kind: 'registry', name, version: dependency.version };
}

/** A dependency value in package.json (`^1.2.0`, `npm:x@1`, `github:a/b`, `https://…`, `file:…`). */
export function classifyNpmRange(range: string): NpmSpecTarget {
  const text = range.trim();
  if (text.startsWith('npm:')) {
    const inner = classifyNpmArg(text.slice(4));
    return inner;
  }
  if (/^(file:|link:|workspace:|portal:)/.test(text) || /^(\.{1,2}|~)?\//.test(text)) return { kind: 'local', path: text };
  if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/i.test(text) || /^[^@/:\s]+\/[^/:\s]+(#.*)?$/.test(text))
    return { kind: 'git', url: text };
  if (URL_SCHEME.test(text)) return { kind: 'remote', url: text };
  const exact = EXACT_SEMVER.exec(text);
  return { kind: 'registry', name: '', version: exact ? exact[1]! : null };
}
