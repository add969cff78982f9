// package-lock.json and npm-shrinkwrap.json (lockfileVersion 2 and 3, npm 7 or later): the
// `packages` map, one typed entry per installed path. The one reader for `check --file`,
// `mirror --from` and `pin`; each applies its own policy (links, bundled, git) to the entries.
import { InputError, keyLines, parseJsonInput } from './input-error.js';

export interface LockfileEntry {
  file: string;
  /** 1-based line of the entry, for messages. */
  line: number;
  /** The key in `packages`: `node_modules/a/node_modules/b`, or a workspace folder. */
  path: string;
  /** `name` of the entry, else the last `node_modules/` segment of the path (a workspace folder's path stands for itself). */
  name: string;
  version: string | null;
  resolved: string | null;
  integrity: string | null;
  /** A symlink to a workspace folder (`"link": true`). */
  link: boolean;
  /** Shipped inside its parent's tarball. */
  inBundle: boolean;
  /** Under node_modules/ (a workspace folder is not). */
  installed: boolean;
}

export type LockfileDocument = Record<string, unknown> & { packages: Record<string, Record<string, unknown>> };

export interface PackageLock {
  document: LockfileDocument;
  /** Every entry but the root project (`""`), in file order. */
  entries: LockfileEntry[];
  /** Entries that are not objects, each as the error a strict caller throws. */
  invalid: InputError[];
}

export function isLockfileName(name: string): boolean {
  return name === 'package-lock.json' || name === 'npm-shrinkwrap.json';
}

/** Throws InputError for text that is not a lockfile npm 7 or later wrote (no `packages` map). */
export function readPackageLock(text: string, file: string): PackageLock {
  const document = parseJsonInput(text, file) as Record<string, unknown> | null;
  const packages = document?.packages;
  if (typeof packages !== 'object' || packages === null || Array.isArray(packages)) {
    throw new InputError(
      file,
      `${file} has no "packages" map: depfence reads lockfileVersion 2 and 3 lockfiles (npm 7 or later); run npm install once with a current npm`,
    );
  }
  const entries: LockfileEntry[] = [];
  const invalid: InputError[] = [];
  const lineOf = keyLines(text);
  lineOf('packages');
  for (const [path, entry] of Object.entries(packages as Record<string, unknown>)) {
    if (path === '') continue;
    const line = lineOf(path);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      invalid.push(new InputError(file, `${file}:${line}: packages["${path}"] is not an object`));
      continue;
    }
    const fields = entry as Record<string, unknown>;
    const installed = path.includes('node_modules/');
    entries.push({
      file,
      line,
      path,
      name:
        typeof fields.name === 'string'
          ? fields.name
          : installed
            ? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
            : path,
      version: typeof fields.version === 'string' ? fields.version : null,
      resolved: typeof fields.resolved === 'string' ? fields.resolved : null,
      integrity: typeof fields.integrity === 'string' ? fields.integrity : null,
      link: fields.link === true,
      inBundle: fields.inBundle === true,
      installed,
    });
  }
  return { document: document as LockfileDocument, entries, invalid };
}
