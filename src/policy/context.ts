// Everything the checks read besides the package's own facts. Built once per process (or per
// config reload) by the layer above; the checks never load anything themselves.
import type { AllowEntry, DenyEntry, PolicyConfig } from '../config/index.js';
import type { Ecosystem } from './types.js';

export interface TyposquatMatch {
  target: string;
  targetDownloads: number;
  rule: string;
  detail: string;
  /** `typo`: evidence on its own; `resemblance`: needs age or downloads to deny (names/typosquat/types.ts). */
  tier: 'typo' | 'resemblance';
}

export interface TyposquatMatcher {
  match(name: string): TyposquatMatch | null;
  /** Every popular name `name` resembles, best first. */
  matchAll(name: string): TyposquatMatch[];
  isPopular(name: string): boolean;
}

/** A line of a blocklist that names the package (see sources/blocklists.ts). */
export interface BlocklistHit {
  kind: 'malicious' | 'slopsquat';
  /** true: every version is listed; false: only `versions`. */
  allVersions: boolean;
  versions?: string[];
  file: string;
  line: number;
  source: string;
}

export interface Blocklists {
  lookup(ecosystem: Ecosystem, canonicalName: string, version: string | null): BlocklistHit[];
}

export interface PolicyContext {
  policy: PolicyConfig;
  allow: AllowEntry[];
  deny: DenyEntry[];
  typosquat: Record<Ecosystem, TyposquatMatcher>;
  blocklists: Blocklists;
}

/** Where the package is being fetched from: internal names are served by the internal upstream. */
export type PackageOrigin = 'public' | 'internal';
