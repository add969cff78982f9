// Everything the checks read besides the package's own facts. Built once per process (or per
// config reload) by the layer above; the checks never load anything themselves.
import type { AdvisoryAllowEntry, AllowEntry, DenyEntry, PolicyConfig, SeverityWord } from '../config/schema.js';
import type { TyposquatMatch, TyposquatMatcher as NameMatcher } from '../names/index.js';
import type { Ecosystem } from './types.js';

export type { TyposquatMatch };

/** What the typosquat check asks of the matcher (names/typosquat builds it). */
export type TyposquatMatcher = Pick<NameMatcher, 'match' | 'matchAll' | 'isPopular'>;

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

/** One advisory about a package, as the threat-data index holds it (see sources/osv/). */
export interface Advisory {
  /** OSV id: MAL-…, GHSA-…, PYSEC-… */
  id: string;
  aliases: readonly string[];
  kind: 'malicious' | 'vulnerability';
  summary: string;
  /** null: the advisory gives no usable score or word (policy.vulnerabilities.unscored decides). */
  severity: SeverityWord | null;
  /** CVSS base score, when the severity came from a vector. */
  score: number | null;
  /** The vector or field the severity came from. */
  severitySource: string | null;
  /** Versions that fix it, lowest first. */
  fixed: readonly string[];
  /** Every version is affected, including ones not yet published (introduced 0, no end). */
  everyVersion: boolean;
}

export interface AffectingAdvisory {
  advisory: Advisory;
  /** The lowest fixing version above the one asked about, if there is one. */
  upgradeTo: string | null;
}

export interface PackageAdvisories {
  all: readonly Advisory[];
  /** The advisories whose affected versions include `version`. */
  affecting(version: string): AffectingAdvisory[];
}

/** The threat-data index: the advisories of one package, or null when it has none. */
export interface AdvisoryLookup {
  forPackage(ecosystem: Ecosystem, canonicalName: string): PackageAdvisories | null;
}

export interface PolicyContext {
  policy: PolicyConfig;
  allow: AllowEntry[];
  /** Allow entries that accept one advisory each (by id or alias). */
  acceptedAdvisories: AdvisoryAllowEntry[];
  deny: DenyEntry[];
  typosquat: Record<Ecosystem, TyposquatMatcher>;
  blocklists: Blocklists;
  advisories: AdvisoryLookup;
}

/** Where the package is being fetched from: internal names are served by the internal upstream. */
export type PackageOrigin = 'public' | 'internal';
