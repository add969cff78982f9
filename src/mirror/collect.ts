// What the collectors hand back: the artifacts and package records for the manifest, the bytes
// behind them, and the denials met on the way (each with its reasons).
import type { DecisionEcosystem } from '../policy/index.js';
import type { ManifestArtifact, PackageRecord } from '../protocol/bundle/manifest.js';

export interface Denial {
  ecosystem: DecisionEcosystem;
  /** A package, or a Hugging Face repo. */
  name: string;
  /** A version, or a repo's commit. */
  version: string | null;
  /** A repo's file, when the denial is about that file only. */
  file?: string;
  reasons: string[];
  /** Denied only because a fact could not be fetched (exit 3 rather than 1). */
  factsUnavailable: boolean;
}

export interface Collection {
  packages: PackageRecord[];
  artifacts: ManifestArtifact[];
  /** sha256 → a verified file holding those bytes. */
  files: Map<string, string>;
  denials: Denial[];
}

export function emptyCollection(): Collection {
  return { packages: [], artifacts: [], files: new Map(), denials: [] };
}

export function mergeCollections(into: Collection, from: Collection): Collection {
  into.packages.push(...from.packages);
  into.artifacts.push(...from.artifacts);
  for (const [sha256, file] of from.files) into.files.set(sha256, file);
  into.denials.push(...from.denials);
  return into;
}
