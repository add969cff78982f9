// Versions whose manifest lacks a readable form of a field the server fetches or verifies by (see
// protocol/npm/packument.ts): each is hidden, in every mode, with the reason; the rest of the
// package is served as usual.
import type { Finding } from '../../../policy/index.js';
import { versionManifestProblem } from '../../../protocol/npm/packument.js';
import type { Packument } from './packument.js';

export function unreadableVersions(packument: Packument): Map<string, Finding> {
  const unreadable = new Map<string, Finding>();
  for (const [version, manifest] of Object.entries(packument.versions)) {
    const problem = versionManifestProblem(manifest);
    if (problem !== null) unreadable.set(version, unreadableFinding(packument.name, version, problem));
  }
  return unreadable;
}

export function unreadableFinding(name: string, version: string, problem: string): Finding {
  return {
    check: 'metadata',
    severity: 'deny',
    message: `${name}@${version} is hidden because the registry's metadata for it cannot be read: ${problem}`,
    evidence: { version, unreadable: problem },
  };
}
