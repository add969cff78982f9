// Signs of a hijacked release, read from the package's own history: a release that breaks with
// what every earlier release did. Each signal compares one release with the releases before it in
// version order (never with later ones: a takeover's later releases must not excuse it). Version
// order, not publish time: registries re-stamp the times of old versions, and a re-stamped 1.0.0
// must not look like a new release that dropped what 3.x has.
//
// npm (from the packument): an install script added; provenance lost within a major; a publisher
// who published none of the earlier releases; a major jump that also changes the dependencies.
// PyPI (from the JSON API or the simple pages): only an sdist after wheels; attestations lost; a
// Trusted Publisher (from PEP 740 provenance) that none of the earlier releases came from.
//
// A signal that denies does so while the release is younger than policy.history.window: takeover
// releases are found and pulled within days, and a release that has stood for that long is more
// likely a deliberate change than an attack (it is still reported, as a warning).
import semver from 'semver';
import * as pep440 from '@renovatebot/pep440';
import { formatDuration } from '../../config/duration.js';
import type { Ecosystem, Finding, ReleaseHistory, ReleaseRecord } from '../types.js';
import type { PolicyContext } from '../context.js';

/** How much of an install script a finding quotes. */
const SCRIPT_QUOTE = 200;
/** How many earlier versions or publishers a finding lists. */
const LISTED = 5;

export function checkHistory(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  history: ReleaseHistory,
  ctx: PolicyContext,
  now: Date,
): Finding[] {
  if (!ctx.policy.history.enabled) return [];
  const timeline = timelineOf(ecosystem, history);
  const at = timeline.position.get(version);
  if (at === undefined || at === 0) return [];
  const release = timeline.order[at]!;
  if (release.published === null) return []; // the age check hides it
  const label = `${name}${ecosystem === 'npm' ? '@' : '=='}${version}`;
  const signal = new SignalContext(label, now.getTime() - release.published.getTime(), ctx);
  return [
    ...installScriptAdded(timeline, at, signal),
    ...provenanceLost(ecosystem, timeline, at, signal),
    ...newPublisher(ecosystem, timeline, at, signal),
    ...majorJumpWithNewDependencies(ecosystem, timeline, at, signal),
    ...sdistOnlyAfterWheels(timeline, at, signal),
  ];
}

/**
 * The releases with a valid version, lowest first, and what each signal needs to know about the
 * releases before a position without scanning them: the version filter judges every version of a
 * packument (thousands for some), so each judgement must not cost a pass over the others.
 */
interface Timeline {
  order: ReleaseRecord[];
  position: Map<string, number>;
  /** The first position whose release has (or may have: unknown counts) an install script. */
  firstScript: number;
  /** Each publisher's first position. */
  firstPublished: Map<string, number>;
  /** The previous position in the same npm major (or -1). */
  previousInMajor: Int32Array;
  /** The highest npm major before each position (-1 for none). */
  highestMajorBefore: Int32Array;
}

const timelines = new WeakMap<ReleaseHistory, Timeline>();

function timelineOf(ecosystem: Ecosystem, history: ReleaseHistory): Timeline {
  let timeline = timelines.get(history);
  if (timeline) return timeline;
  const order = inVersionOrder(ecosystem, history.releases);
  const position = new Map(order.map((release, index) => [release.version, index]));
  const firstScript = order.findIndex((release) => release.installScript !== null);
  const firstPublished = new Map<string, number>();
  const previousInMajor = new Int32Array(order.length).fill(-1);
  const highestMajorBefore = new Int32Array(order.length).fill(-1);
  const lastInMajor = new Map<number, number>();
  let highest = -1;
  order.forEach((release, index) => {
    if (release.publisher && !firstPublished.has(release.publisher)) firstPublished.set(release.publisher, index);
    highestMajorBefore[index] = highest;
    if (ecosystem !== 'npm') return;
    const major = majorOf(release.version);
    if (major === null) return;
    previousInMajor[index] = lastInMajor.get(major) ?? -1;
    lastInMajor.set(major, index);
    highest = Math.max(highest, major);
  });
  timeline = {
    order,
    position,
    firstScript: firstScript === -1 ? Infinity : firstScript,
    firstPublished,
    previousInMajor,
    highestMajorBefore,
  };
  timelines.set(history, timeline);
  return timeline;
}

/**
 * Each version parsed once, and compared by its numbers: packuments with thousands of versions are
 * sorted on every read. Prereleases of the same numbers (`0.0.0-experimental-…`, thousands in some
 * packuments) go before the release, among themselves in publish order: comparing their
 * identifiers costs more than it tells.
 */
function inVersionOrder(ecosystem: Ecosystem, releases: readonly ReleaseRecord[]): ReleaseRecord[] {
  if (ecosystem === 'npm') {
    const parsed = releases.flatMap((release) => {
      const version = semver.parse(release.version);
      return version === null ? [] : [{ release, version, pre: version.prerelease.length > 0, time: release.published?.getTime() ?? 0 }];
    });
    parsed.sort(
      (a, b) =>
        a.version.major - b.version.major ||
        a.version.minor - b.version.minor ||
        a.version.patch - b.version.patch ||
        Number(b.pre) - Number(a.pre) ||
        a.time - b.time,
    );
    return parsed.map(({ release }) => release);
  }
  return releases.filter((release) => pep440.valid(release.version) !== null).sort((a, b) => pep440.compare(a.version, b.version));
}

function majorOf(version: string): number | null {
  return semver.valid(version) === null ? null : semver.major(version);
}

class SignalContext {
  constructor(
    readonly label: string,
    readonly age: number,
    readonly ctx: PolicyContext,
  ) {}

  /** A deny while the release is younger than policy.history.window, a warning after. */
  denyWhileYoung(message: string, evidence: Record<string, unknown>): Finding {
    const { window } = this.ctx.policy.history;
    const young = this.age < window;
    const tail = young ? '' : ` (it has stood for more than ${formatDuration(window)}, so this is only a warning)`;
    return {
      check: 'history',
      severity: young ? 'deny' : 'warn',
      message: message + tail,
      evidence: { ...evidence, window: formatDuration(window) },
    };
  }

  /** A warning while the release is younger than `limit`, nothing after. */
  warnWithin(limit: number, message: string, evidence: Record<string, unknown>): Finding[] {
    return this.age < limit ? [{ check: 'history', severity: 'warn', message, evidence }] : [];
  }
}

function installScriptAdded(timeline: Timeline, at: number, signal: SignalContext): Finding[] {
  const release = timeline.order[at]!;
  if (release.installScript === undefined || release.installScript === null || timeline.firstScript < at) return [];
  const script = release.installScript.slice(0, SCRIPT_QUOTE);
  return [
    signal.denyWhileYoung(
      `${signal.label} adds an install script that none of its ${at} earlier versions had: ${script === '' ? '(the registry only says it has one)' : JSON.stringify(script)}`,
      { signal: 'install-script-added', script, earlierVersions: at, previousVersion: timeline.order[at - 1]!.version },
    ),
  ];
}

function provenanceLost(ecosystem: Ecosystem, timeline: Timeline, at: number, signal: SignalContext): Finding[] {
  const release = timeline.order[at]!;
  if (release.attested !== false) return [];
  const previousAt = ecosystem === 'npm' ? timeline.previousInMajor[at]! : at - 1;
  if (previousAt < 0 || timeline.order[previousAt]!.attested !== true) return [];
  const attested: string[] = [];
  for (let i = previousAt; i >= 0 && attested.length < LISTED; i = ecosystem === 'npm' ? timeline.previousInMajor[i]! : i - 1) {
    if (timeline.order[i]!.attested === true) attested.unshift(timeline.order[i]!.version);
  }
  const what = ecosystem === 'npm' ? 'provenance' : 'attestations (PEP 740)';
  const scope = ecosystem === 'npm' ? ` of major ${majorOf(release.version)}` : '';
  return [
    signal.denyWhileYoung(
      `${signal.label} has no ${what}, though the earlier versions${scope} had (${attested.join(', ')}); a release published with a stolen token or account usually has none`,
      {
        signal: ecosystem === 'npm' ? 'provenance-lost' : 'attestations-lost',
        attestedVersions: attested,
        previousVersion: timeline.order[previousAt]!.version,
      },
    ),
  ];
}

function newPublisher(ecosystem: Ecosystem, timeline: Timeline, at: number, signal: SignalContext): Finding[] {
  const publisher = timeline.order[at]!.publisher;
  if (!publisher || (timeline.firstPublished.get(publisher) ?? at) < at) return [];
  const previous = [...timeline.firstPublished].filter(([, first]) => first < at).map(([name]) => name);
  if (previous.length === 0) return [];
  const listed = previous.slice(-LISTED);
  const message =
    ecosystem === 'npm'
      ? `${signal.label} was published by ${publisher}, who published none of its earlier versions (those came from ${listed.join(', ')})`
      : `${signal.label} was published through a Trusted Publisher none of its earlier releases used: ${publisher} (its PEP 740 provenance; earlier releases came from ${listed.join(', ')}); a changed repository or workflow can mean a hijacked project`;
  return signal.warnWithin(signal.ctx.policy.history.newPublisherWindow, message, {
    signal: 'new-publisher',
    publisher,
    previousPublishers: listed,
    ...(ecosystem === 'pypi' && { source: 'PEP 740 provenance (Trusted Publisher)' }),
  });
}

function majorJumpWithNewDependencies(ecosystem: Ecosystem, timeline: Timeline, at: number, signal: SignalContext): Finding[] {
  const release = timeline.order[at]!;
  const major = majorOf(release.version);
  if (ecosystem !== 'npm' || release.dependencies === undefined || major === null || major <= timeline.highestMajorBefore[at]!) return [];
  const previous = timeline.order[at - 1]!;
  const before = new Set(previous.dependencies ?? []);
  const added = release.dependencies.filter((dependency) => !before.has(dependency));
  if (added.length === 0) return [];
  const removed = [...before].filter((dependency) => !release.dependencies!.includes(dependency));
  const more = added.length > LISTED ? ` and ${added.length - LISTED} more` : '';
  return signal.warnWithin(
    signal.ctx.policy.history.window,
    `${signal.label} jumps to major ${major} from ${previous.version} and adds dependencies ${added.slice(0, LISTED).join(', ')}${more}`,
    { signal: 'major-jump-new-dependencies', previousVersion: previous.version, added, removed },
  );
}

function sdistOnlyAfterWheels(timeline: Timeline, at: number, signal: SignalContext): Finding[] {
  const release = timeline.order[at]!;
  const previous = timeline.order[at - 1]!;
  if (release.wheels === undefined || release.wheels > 0 || (release.sdists ?? 0) === 0 || (previous.wheels ?? 0) === 0) return [];
  const withWheels: string[] = [];
  for (let i = at - 1; i >= 0 && withWheels.length < LISTED; i--)
    if ((timeline.order[i]!.wheels ?? 0) > 0) withWheels.unshift(timeline.order[i]!.version);
  return [
    signal.denyWhileYoung(
      `${signal.label} has only a source distribution, though the earlier releases shipped wheels (${withWheels.join(', ')}); installing an sdist runs its setup.py`,
      { signal: 'sdist-only-after-wheels', previousVersion: previous.version, versionsWithWheels: withWheels },
    ),
  ];
}

/** The version a package-level question is about: the registry's latest (npm) or the highest final release (PyPI). */
export function currentVersion(ecosystem: Ecosystem, history: ReleaseHistory): string | null {
  if (history.latest !== null) return history.latest;
  const versions = history.releases.map((release) => release.version);
  if (ecosystem === 'npm') return semver.maxSatisfying(versions, '*');
  const finals = versions.filter((version) => pep440.valid(version) !== null && !/[a-z]/i.test(pep440.clean(version) ?? version));
  return finals.sort(pep440.compare).at(-1) ?? null;
}
