// npm package specs (`a`, `b@2`, `@s/c@^1`, `x@npm:y@1`, `git@host:u/r.git`, `u/r`, URLs, paths)
// and dependency values in package.json (`^1.2.0`, `npm:x@1`, `github:a/b`, `file:…`), read with
// npm's own parser, npm-package-arg, so depfence and npm never disagree on what a spec names.
// The one reader for the shims, `check`, `mirror`, package.json and lockfile values.
import npa from 'npm-package-arg';
import semver from 'semver';

export type NpmSpec =
  /** On a registry: `version` is the exact version when the spec pins one (`1.2.3`, `v1.2.3`, `=1.2.3`). */
  | { kind: 'registry'; name: string; version: string | null; range: string }
  | { kind: 'git'; url: string }
  | { kind: 'remote'; url: string }
  | { kind: 'local'; path: string }
  /** npm refuses it too (an unsupported protocol, an invalid name or tag): nothing is fetched. */
  | { kind: 'invalid'; reason: string };

/** A command-line argument, as `npm install ARG` reads it. `where` resolves relative paths. */
export function readNpmSpec(text: string, where?: string): NpmSpec {
  return fromResult(() => npa(text, where));
}

/** A dependency `name: value` in package.json, as npm reads it. */
export function readNpmDependency(name: string, value: string, where?: string): NpmSpec {
  return fromResult(() => npa.resolve(name, value, where));
}

function fromResult(parse: () => npa.Result): NpmSpec {
  let result: npa.Result;
  try {
    result = parse();
  } catch (error) {
    return { kind: 'invalid', reason: (error as Error).message };
  }
  return classify(result);
}

function classify(result: npa.Result): NpmSpec {
  switch (result.type) {
    case 'alias':
      // `npm:debug@v4.4.2`: the package that is fetched is the aliased one
      return classify((result as npa.AliasResult).subSpec);
    case 'version':
    case 'range':
    case 'tag': {
      if (!result.name) return { kind: 'invalid', reason: `${result.raw} names no package` };
      const range = result.fetchSpec ?? result.rawSpec;
      const version = result.type === 'version' ? semver.valid(range, { loose: true }) : null;
      return { kind: 'registry', name: result.name, version, range };
    }
    case 'git':
      return { kind: 'git', url: result.rawSpec || result.raw };
    case 'remote':
      return { kind: 'remote', url: result.rawSpec || result.raw };
    case 'file':
    case 'directory':
      return { kind: 'local', path: result.fetchSpec ?? result.raw };
    default:
      return { kind: 'invalid', reason: `${result.raw} is not a spec npm installs` };
  }
}
