// How versions of each ecosystem are ordered when an OSV range is evaluated: SemVer 2.0 for npm
// (its registry only holds valid semver), PEP 440 for PyPI (OSV's ECOSYSTEM type for PyPI is PEP
// 440 order; a SEMVER range of a PyPI package is read the same way, as pip would compare them).
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import type { Ecosystem } from '../../names/index.js';

export interface VersionOrder {
  valid(version: string): boolean;
  /** Negative, zero or positive, as a sorts before, with or after b. Both must be valid. */
  compare(a: string, b: string): number;
}

const NPM_ORDER: VersionOrder = {
  valid: (version) => semver.valid(version) !== null,
  compare: (a, b) => semver.compare(a, b),
};

const PYPI_ORDER: VersionOrder = {
  valid: (version) => pep440.valid(version) !== null,
  compare: (a, b) => pep440.compare(a, b),
};

export function versionOrder(ecosystem: Ecosystem): VersionOrder {
  return ecosystem === 'npm' ? NPM_ORDER : PYPI_ORDER;
}

/** The same version, written the same or (PEP 440 `1.0` and `1.0.0`) ordered as equal. */
export function sameVersion(order: VersionOrder, a: string, b: string): boolean {
  return a === b || (order.valid(a) && order.valid(b) && order.compare(a, b) === 0);
}
