// The facts the policy reads, rebuilt from what a bundle recorded: existence and publish times as
// the registry gave them when the package was vetted, and the download count of that day. The
// policy runs on them again at serve time (with the current lists and settings), so a version
// denied or blocklisted after the bundle was made is refused, and age is measured to now.
import { canonicalName } from '../../names/index.js';
import { evaluate, type Decision, type PackageFacts, type PolicyContext } from '../../policy/index.js';
import type { PackageRecord } from '../../protocol/bundle/manifest.js';

export function offlineFacts(record: PackageRecord, version: string | null): PackageFacts {
  const base = { ecosystem: record.ecosystem, name: record.name, canonicalName: canonicalName(record.ecosystem, record.name), version };
  if (record.origin === 'internal') {
    const notAsked = {
      state: 'not-evaluated',
      reason: 'an internal package, vetted when it was mirrored from the internal upstream',
    } as const;
    return { ...base, exists: notAsked, downloads: notAsked, publishTimes: notAsked };
  }
  const { facts } = record;
  const source = `vetted mirror (${facts.source}, recorded ${facts.recordedAt})`;
  const versions = new Map(Object.entries(facts.versions).map(([key, time]) => [key, new Date(time)]));
  return {
    ...base,
    exists: { state: 'known', value: true, source },
    publishTimes: { state: 'known', value: { created: facts.created ? new Date(facts.created) : null, versions }, source },
    downloads:
      facts.downloads === null
        ? { state: 'unavailable', reason: 'the bundle recorded no download count for it', source }
        : { state: 'known', value: facts.downloads, source: `${facts.downloadsSource ?? 'download count'}, recorded ${facts.recordedAt}` },
  };
}

/** The package-level decision now, from the recorded facts. */
export function offlineDecision(record: PackageRecord, context: PolicyContext, now: Date): Decision {
  return evaluate(offlineFacts(record, null), context, { now, origin: record.origin });
}
