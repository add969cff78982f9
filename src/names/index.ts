// Per-ecosystem package names: the comparison form and the validity rules, and the typosquat matcher.
export { canonicalName, validateName, type Ecosystem } from './ecosystem.js';
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
