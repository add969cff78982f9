// package.json: its dependency fields, each entry read as npm reads it (npm-package-arg, through
// npm-spec.ts). The one reader for `check --file`, `mirror --from` and whatever else reads a
// package.json; each applies its own policy (which fields, which kinds of spec) to the entries.
import { InputError, keyLines, parseJsonInput } from './input-error.js';
import { readNpmDependency, type NpmSpec } from './npm-spec.js';

export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

export interface PackageJsonDependency {
  file: string;
  /** 1-based line of the entry, for messages. */
  line: number;
  field: DependencyField;
  name: string;
  /** The value as written: `^1.2.0`, `npm:x@1`, `github:a/b`, `file:../x`. */
  value: string;
  spec: NpmSpec;
}

export interface PackageJson {
  manifest: Record<string, unknown>;
  dependencies: PackageJsonDependency[];
  /** Fields and entries that are not what npm expects, each as the error a strict caller throws. */
  invalid: InputError[];
}

/**
 * Throws InputError for text that is not a JSON object. `where` resolves relative paths in specs.
 * Entries that are not name: string are left out and listed in `invalid`.
 */
export function readPackageJson(text: string, file: string, where?: string): PackageJson {
  const manifest = parseJsonInput(text, file);
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new InputError(file, `${file} is not a package.json object`);
  const dependencies: PackageJsonDependency[] = [];
  const invalid: InputError[] = [];
  for (const field of DEPENDENCY_FIELDS) {
    const deps = (manifest as Record<string, unknown>)[field];
    if (deps === undefined) continue;
    if (typeof deps !== 'object' || deps === null || Array.isArray(deps)) {
      invalid.push(new InputError(file, `${file}: "${field}" must be an object of name: range`));
      continue;
    }
    const lineOf = keyLines(text);
    lineOf(field);
    for (const [name, value] of Object.entries(deps as Record<string, unknown>)) {
      const line = lineOf(name);
      if (typeof value !== 'string') invalid.push(new InputError(file, `${file}:${line}: ${field}.${name} must be a version range string`));
      else dependencies.push({ file, line, field, name, value, spec: readNpmDependency(name, value, where) });
    }
  }
  return { manifest: manifest as Record<string, unknown>, dependencies, invalid };
}
