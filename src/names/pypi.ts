// PyPI project names: PEP 503 normalisation and PEP 508 validity.
import { sharedNameProblem } from './limits.js';

const PEP_508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 503: runs of '-', '_' and '.' become one '-', then lowercase. `Foo_Bar.baz` → `foo-bar-baz`. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Null when `name` is a valid PyPI project name, otherwise a one-sentence reason. */
export function validatePypiName(name: string): string | null {
  const shared = sharedNameProblem(name);
  if (shared) return shared;
  if (name.includes('/')) return "The package name contains '/', a path separator.";
  if (!PEP_508_NAME.test(name)) {
    return "A PyPI name must start and end with a letter or digit and contain only letters, digits, '.', '_' and '-'.";
  }
  return null;
}
