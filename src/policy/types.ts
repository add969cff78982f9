// Wire-level types of the policy layer: what the checks read (PackageFacts) and what the engine
// returns (Decision). The same Decision shape is the `check --json` result, the audit-log line and
// the body of a 403, so keep it plain data.

import type { Ecosystem } from '../names/index.js';

export type { Ecosystem };

/**
 * A fact the policy needs, with how we came by it. The distinction between `unavailable` and
 * `not-evaluated` is what makes depfence fail closed: `unavailable` means we asked and could not
 * get an answer (upstream down, timeout, malformed reply) and is never an allow; `not-evaluated`
 * means we deliberately did not ask (offline mode) and the check reports that it did not run.
 */
export type Fact<T> =
  | { state: 'known'; value: T; source: string }
  | { state: 'unavailable'; reason: string; source: string }
  | { state: 'not-evaluated'; reason: string };

/** Downloads in the last month; `fewerThan` when a snapshot only says the name is below its floor. */
export type DownloadCount = { exactly: number } | { fewerThan: number };

export interface PublishTimes {
  /** When the package was first published (earliest version or the registry's `created`). */
  created: Date | null;
  /** Publish (npm) or earliest upload (PyPI) time of each version. */
  versions: ReadonlyMap<string, Date>;
  /** Versions the registry lists whose metadata depfence cannot read, each with why (they are never allowed). */
  unreadable?: ReadonlyMap<string, string>;
}

/** One release as the history signals see it (checks/history.ts). Unknown fields are left out. */
export interface ReleaseRecord {
  version: string;
  /** npm: publish time; PyPI: the earliest file upload. */
  published: Date | null;
  /** npm: the install script's text (`''` when only `hasInstallScript` says there is one), null for none. */
  installScript?: string | null;
  /** npm: `dist.attestations` present; PyPI: every file has PEP 740 provenance. */
  attested?: boolean;
  /** npm: `_npmUser.name`; PyPI: the uploader, where the source names one. */
  publisher?: string | null;
  /** npm: the names in `dependencies`. */
  dependencies?: string[];
  /** PyPI: how many wheels and sdists the release has. */
  wheels?: number;
  sdists?: number;
}

export interface ReleaseHistory {
  releases: ReleaseRecord[];
  /** npm: `dist-tags.latest`; null where the registry has no such tag (PyPI). */
  latest: string | null;
}

/** npm: the most-downloaded package in a package's scope (from the download snapshot), for the scope rule. */
export interface ScopeSibling {
  name: string;
  /** Its downloads last month, from the snapshot. */
  downloads: number;
  times: PublishTimes;
  history: ReleaseHistory;
}

export interface PackageFacts {
  ecosystem: Ecosystem;
  /** The name as the user or client wrote it. */
  name: string;
  /** PEP 503 for PyPI, lowercase for npm: the key every list and index is looked up by. */
  canonicalName: string;
  /** The version asked for, or null for the package as a whole. */
  version: string | null;
  /** Does the upstream registry know this name at all? */
  exists: Fact<boolean>;
  downloads: Fact<DownloadCount>;
  publishTimes: Fact<PublishTimes>;
  /** The package's releases, for the history signals; absent where nobody fetched them. */
  history?: Fact<ReleaseHistory>;
  /** npm, for a young scoped package: its scope's most-used package; absent where nobody fetched it. */
  scope?: Fact<ScopeSibling>;
}

export type Severity = 'deny' | 'warn' | 'info';
export type Verdict = 'allow' | 'warn' | 'deny';

export type CheckName =
  | 'age'
  | 'downloads'
  | 'typosquat'
  | 'malicious'
  | 'vulnerability'
  | 'slopsquat'
  | 'exists'
  | 'confusion'
  | 'history'
  | 'allowlist'
  | 'denylist'
  // The proxies' own checks on what they serve: an artifact whose bytes do not match its metadata,
  // a version filter that failed (and so hid everything), and an artifact hosted somewhere the
  // firewall does not fetch from.
  | 'integrity'
  | 'filter'
  | 'source'
  // A version whose dependencies npm would fetch from outside the registry (git, URL, path).
  | 'dependency-source'
  // A version whose registry metadata cannot be read (hidden on its own; the package is served).
  | 'metadata'
  // Models (the Hugging Face endpoint): code in pickles, remote code, a file that is not what its
  // format says, a gated or disabled repo, and a models.lock that does not list what was asked for.
  | 'pickle'
  | 'remote-code'
  | 'format'
  | 'gated'
  | 'lock';

export interface Finding {
  check: CheckName;
  severity: Severity;
  /** One sentence a person understands. */
  message: string;
  /** The facts behind the message: target and rule, age, download count and its source, list file and line… */
  evidence: Record<string, unknown>;
}

/** Decisions are also made about Hugging Face repos, which are no package ecosystem of their own. */
export type DecisionEcosystem = Ecosystem | 'huggingface';

/** A decision about a package (npm, PyPI) by default; `Decision<'huggingface'>` about a model repo. */
export interface Decision<E extends DecisionEcosystem = Ecosystem> {
  ecosystem: E;
  name: string;
  version: string | null;
  decision: Verdict;
  findings: Finding[];
}
