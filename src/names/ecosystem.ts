// The two package ecosystems and the per-ecosystem comparison form and validity rules.
import { canonicalNpmName, validateNpmName } from './npm.js';
import { normalizePypiName, validatePypiName } from './pypi.js';

export type Ecosystem = 'npm' | 'pypi';

/** The form names are compared in: PEP 503 for PyPI, lowercase for npm. */
export function canonicalName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? normalizePypiName(name) : canonicalNpmName(name);
}

/** Null when `name` is a valid package name in `ecosystem`, otherwise a one-sentence reason. */
export function validateName(ecosystem: Ecosystem, name: string): string | null {
  return ecosystem === 'pypi' ? validatePypiName(name) : validateNpmName(name);
}
