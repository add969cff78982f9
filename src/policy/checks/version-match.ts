// Versions compared as each ecosystem's tools compare them: does a version fall inside an
// allow/deny entry's `versions` (semver range for npm, PEP 440 specifier for PyPI), and are two
// spellings the same version (`1.82.7.0`, `01.82.7` and `1.82.7` are one PEP 440 version;
// `v4.4.2`, `=4.4.2` and `4.4.2` one npm version)?
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import type { Ecosystem } from '../types.js';

export function versionInRange(ecosystem: Ecosystem, version: string, range: string | undefined): boolean {
  if (range === undefined) return true;
  if (ecosystem === 'npm') return semver.valid(version) !== null && semver.satisfies(version, range, { includePrerelease: true });
  return pep440.valid(version) !== null && pep440.satisfies(version, range, { prereleases: true });
}

/** True when `a` and `b` name the same version; spellings neither tool reads as a version must match exactly. */
export function sameVersion(ecosystem: Ecosystem, a: string, b: string): boolean {
  if (a === b) return true;
  if (ecosystem === 'npm') {
    const left = semver.clean(a, { loose: true });
    const right = semver.clean(b, { loose: true });
    return (
      left !== null &&
      right !== null &&
      semver.eq(left, right) &&
      semver.parse(left)?.build.join('.') === semver.parse(right)?.build.join('.')
    );
  }
  return pep440.valid(a) !== null && pep440.valid(b) !== null && pep440.eq(a, b);
}
