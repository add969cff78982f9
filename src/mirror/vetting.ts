// Vetting a package while mirroring: the same facts and the same policy engine the firewall uses
// (gathered through the firewall's own HTTP client and cache, so nothing is fetched twice), kept
// with the decision so the offline side can judge the package again later without a network.
import type { Config } from '../config/index.js';
import type { Ecosystem } from '../names/index.js';
import { evaluate, type Decision, type PackageFacts, type PackageOrigin } from '../policy/index.js';
import type { Decider } from '../sources/decide.js';
import { gatherFacts } from '../sources/facts.js';
import type { RecordedFacts } from '../protocol/bundle/manifest.js';

export interface Vetted {
  ecosystem: Ecosystem;
  name: string;
  origin: PackageOrigin;
  /** The package-level decision. */
  decision: Decision;
  /** null for a name reserved as internal (judged by its internal upstream, no public facts). */
  facts: PackageFacts | null;
  vettedAt: Date;
}

export async function vetPackage(decider: Decider, config: Config, ecosystem: Ecosystem, name: string, now: Date): Promise<Vetted> {
  const request = { ecosystem, name, version: null };
  if (decider.internalRule(ecosystem, name) !== null) {
    const origin: PackageOrigin = config.upstreams[ecosystem].internal ? 'internal' : 'public';
    return { ecosystem, name, origin, decision: await decider.decide(request, now), facts: null, vettedAt: now };
  }
  const facts = await gatherFacts(request, {
    http: decider.http,
    upstreams: config.upstreams,
    snapshot: decider.snapshots[ecosystem],
    offline: false,
    downloadsTtlMs: config.network.downloadsCacheTtl,
  });
  return { ecosystem, name, origin: 'public', decision: evaluate(facts, decider.context, { now }), facts, vettedAt: now };
}

/** The decision about one version (npm: its own publish time decides its age). */
export function versionDecision(vetted: Vetted, decider: Decider, version: string): Decision {
  if (!vetted.facts) return { ...vetted.decision, version };
  return evaluate({ ...vetted.facts, version }, decider.context, { now: vetted.vettedAt, origin: vetted.origin });
}

/** The facts to keep in the manifest, for the versions mirrored. */
export function recordFacts(vetted: Vetted, versions: Record<string, Date | null>): RecordedFacts {
  const facts = vetted.facts;
  const times = facts?.publishTimes.state === 'known' ? facts.publishTimes.value : null;
  const recordedVersions: Record<string, string> = {};
  for (const [version, fallback] of Object.entries(versions)) {
    const time = times?.versions.get(version) ?? fallback;
    if (time) recordedVersions[version] = time.toISOString();
  }
  const downloads = facts?.downloads.state === 'known' ? facts.downloads : null;
  return {
    recordedAt: vetted.vettedAt.toISOString(),
    source:
      facts?.publishTimes.state === 'known'
        ? facts.publishTimes.source
        : vetted.origin === 'internal'
          ? 'internal upstream'
          : 'not recorded',
    created: times?.created?.toISOString() ?? null,
    versions: recordedVersions,
    downloads: downloads ? downloads.value : null,
    downloadsSource: downloads ? downloads.source : null,
  };
}

/** The reasons a decision denies, one sentence each. */
export function denialReasons(decision: Decision): string[] {
  return decision.findings.filter((finding) => finding.severity === 'deny').map((finding) => `${finding.check}: ${finding.message}`);
}
