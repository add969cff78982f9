// Per-ecosystem package names: the comparison form and the validity rules, and the typosquat matcher.
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

export { MAX_NAME_LENGTH } from './limits.js';
export { normalizePypiName, validatePypiName } from './pypi.js';
export { canonicalNpmName, parseNpmName, validateNpmName, type NpmName } from './npm.js';
export {
  createTyposquatMatcher,
  type PopularPackage,
  type TyposquatMatch,
  type TyposquatMatcher,
  type TyposquatOptions,
  type TyposquatRule,
  type TyposquatTier,
} from './typosquat/index.js';
