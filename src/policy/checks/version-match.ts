// Does a version fall inside an allow/deny entry's `versions` (semver range for npm, PEP 440
// specifier for PyPI)? An entry without `versions` covers every version.
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import type { Ecosystem } from '../types.js';

export function versionInRange(ecosystem: Ecosystem, version: string, range: string | undefined): boolean {
  if (range === undefined) return true;
  if (ecosystem === 'npm') return semver.valid(version) !== null && semver.satisfies(version, range, { includePrerelease: true });
  return pep440.valid(version) !== null && pep440.satisfies(version, range, { prereleases: true });
}
