// What the model checks read: a Hugging Face repo's facts at one commit, and the context they are
// judged in. Plain data, filled in by the layers above.
import type { AllowEntry, DenyEntry, ModelPolicy } from '../../config/schema.js';
import type { Fact } from '../types.js';

export type RepoKind = 'model' | 'dataset';

export interface RepoFile {
  path: string;
  size: number;
  /** The git blob id of the file as stored in git (for an LFS file: of its pointer). */
  blobId: string | null;
  /** LFS files: the sha256 of the content. */
  lfsSha256: string | null;
}

export interface RepoInfo {
  /** The commit the revision resolved to. */
  commit: string;
  createdAt: Date | null;
  /** Downloads in the last month (the Hub's `downloads`). */
  downloads: number | null;
  /** false, or the Hub's gating mode ('auto', 'manual'). */
  gated: false | string;
  disabled: boolean;
  /** config.json declares an auto_map (custom model classes loaded with trust_remote_code). */
  autoMap: boolean;
  files: RepoFile[];
}

export interface RepoFacts {
  kind: RepoKind;
  /** `org/name` (or a legacy `name`). */
  id: string;
  info: Fact<RepoInfo>;
}

export interface LookalikeMatch {
  target: string;
  detail: string;
}

/** Popular organisations a repo's organisation may imitate. */
export interface LookalikeMatcher {
  matchOrganisation(org: string): LookalikeMatch | null;
}

/** A models.lock entry: one repo pinned to a commit and its files' hashes. */
export interface LockedRepo {
  kind: RepoKind;
  id: string;
  commit: string;
  files: ReadonlyMap<string, { sha256: string | null; blobId: string | null; size: number }>;
}

export interface ModelLock {
  file: string;
  repos: LockedRepo[];
}

export interface ModelPolicyContext {
  policy: ModelPolicy;
  allow: AllowEntry[];
  deny: DenyEntry[];
  lookalike: LookalikeMatcher;
  lock: ModelLock | null;
  /** The firewall holds a Hub token (upstreams.huggingface.token): the Hub decides who may have a gated repo. */
  hubToken: boolean;
}
