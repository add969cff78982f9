// Is a package established without its download count? Download counts are often out of reach
// (the downloads API blocked or rate-limited, a name missing from the bundled snapshot). Two
// histories stand in, each a conjunction of facts, every one of which must be known:
//   - its own: first released over a year ago, at least five releases over at least 90 days,
//     and the release judged published by someone who already published one at least 90 days
//     before it (where the registry records publishers; PyPI's JSON API does not);
//   - its scope's (npm): the scope's most-used package passes the policy on known facts (its
//     snapshot count is above the warn floor and it is older than minPackageAge) and has a release
//     published by the user who published this one, as with a project's new platform binary
//     (`@rollup/rollup-<platform>`). Where the registry names no publisher, this never applies.
// The result says which facts decided, or why the package is not established.
import type { PackageFacts, ReleaseHistory, ReleaseRecord, ScopeSibling } from '../types.js';
import type { PolicyContext } from '../context.js';

const YEAR = 365 * 86_400_000;
const MIN_RELEASES = 5;
const MIN_SPAN = 90 * 86_400_000;
const PUBLISHER_TENURE = 90 * 86_400_000;

export type Establishment = { established: true; how: string; decidedBy: string[] } | { established: false; why: string };

export function establishedByHistory(facts: PackageFacts, now: Date): Establishment {
  if (facts.publishTimes.state !== 'known') return { established: false, why: 'its publish times are not known' };
  const { created, versions } = facts.publishTimes.value;
  if (created === null) return { established: false, why: 'it has no first-publish time' };
  if (now.getTime() - created.getTime() < YEAR)
    return { established: false, why: `its first release was ${day(created)}, less than a year ago` };
  const times = [...versions.values()].map((time) => time.getTime());
  if (times.length < MIN_RELEASES)
    return { established: false, why: `it has ${times.length} release${times.length === 1 ? '' : 's'} (${MIN_RELEASES} are needed)` };
  const span = Math.max(...times) - Math.min(...times);
  if (span < MIN_SPAN)
    return { established: false, why: `its ${times.length} releases span ${Math.round(span / 86_400_000)} days (90 are needed)` };
  const decidedBy = [`first release ${day(created)}`, `${times.length} releases`];
  const publisher = publisherStanding(facts);
  if (!publisher.stable) return { established: false, why: publisher.why };
  decidedBy.push(publisher.fact);
  return { established: true, how: 'established by age and history', decidedBy };
}

export function establishedByScope(facts: PackageFacts, ctx: PolicyContext, now: Date): Establishment {
  const scope = facts.scope;
  if (scope?.state !== 'known')
    return {
      established: false,
      why: scope?.state === 'unavailable' ? `its scope could not be checked (${scope.reason})` : 'it is not in an established scope',
    };
  const sibling: ScopeSibling = scope.value;
  const { warn } = ctx.policy.downloads;
  if (sibling.downloads < warn)
    return {
      established: false,
      why: `its scope's most-used package ${sibling.name} has ${sibling.downloads} downloads a month (under ${warn})`,
    };
  const siblingCreated = sibling.times.created;
  if (siblingCreated === null || now.getTime() - siblingCreated.getTime() < ctx.policy.minPackageAge) {
    return { established: false, why: `its scope's most-used package ${sibling.name} is itself new` };
  }
  const own = judgedRelease(facts);
  if (!own?.publisher) return { established: false, why: 'the registry names no publisher for it' };
  const siblingPublishers = new Set(sibling.history.releases.map((release) => release.publisher).filter(Boolean));
  if (!siblingPublishers.has(own.publisher))
    return { established: false, why: `its publisher ${own.publisher} publishes none of ${sibling.name}'s releases` };
  return {
    established: true,
    how: `a new package of the established scope ${sibling.name.slice(0, sibling.name.indexOf('/'))}`,
    decidedBy: [
      `published by ${own.publisher}, who publishes ${sibling.name}`,
      `${sibling.name}: ${sibling.downloads.toLocaleString('en-US')} downloads a month, first release ${day(siblingCreated)}`,
    ],
  };
}

type Standing = { stable: true; fact: string } | { stable: false; why: string };

function publisherStanding(facts: PackageFacts): Standing {
  const history = facts.history;
  if (history?.state !== 'known') return { stable: false, why: 'its publisher history is not known' };
  const recordsPublishers = history.value.releases.some((release) => release.publisher);
  if (!recordsPublishers) return { stable: true, fact: 'publishers not recorded by the registry' };
  const judged = judgedRelease(facts);
  if (!judged?.publisher || !judged.published)
    return { stable: false, why: `the registry names no publisher for ${judged?.version ?? 'its newest release'}` };
  const earlier = history.value.releases.find(
    (release) =>
      release.publisher === judged.publisher &&
      release.published !== null &&
      judged.published!.getTime() - release.published.getTime() >= PUBLISHER_TENURE,
  );
  if (!earlier)
    return {
      stable: false,
      why: `${judged.publisher}, who published ${judged.version}, published none of its releases 90 days or more before it`,
    };
  return { stable: true, fact: `published by ${judged.publisher} since ${day(earlier.published!)}` };
}

/** The release asked about, or the newest (by publish time) when the package as a whole is judged. */
function judgedRelease(facts: PackageFacts): ReleaseRecord | undefined {
  const history: ReleaseHistory | undefined = facts.history?.state === 'known' ? facts.history.value : undefined;
  if (!history) return undefined;
  if (facts.version !== null) return history.releases.find((release) => release.version === facts.version);
  const latest = history.latest === null ? undefined : history.releases.find((release) => release.version === history.latest);
  return (
    latest ??
    [...history.releases].filter((release) => release.published).sort((a, b) => b.published!.getTime() - a.published!.getTime())[0]
  );
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
