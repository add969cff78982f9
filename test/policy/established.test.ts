// Established without download counts: when the count cannot be had, an old package with many
// releases and a stable publisher is warned (saying which facts decided), a young or thin one is
// still denied (saying why); a new package of an established scope, published by a user who
// publishes that scope's most-used package, is warned under the new-package rule too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, deniedOnlyForMissingFacts, type Fact, type PackageFacts, type ReleaseRecord } from '../../src/policy/index.js';
import { NOW, contextWith, daysAgo, factsFor } from '../helpers/policy.js';

const at = { now: NOW };
const apiDown = { state: 'unavailable', reason: 'npm downloads API did not answer', source: 'npm downloads API' } as const;

/** Facts with releases every `every` days, the newest `newest` days ago, each by `publisher(i)`. */
function withReleases(
  name: string,
  count: number,
  every: number,
  newest: number,
  publisher: (index: number) => string | null,
  changes: Partial<PackageFacts> = {},
): PackageFacts {
  const releases: ReleaseRecord[] = Array.from({ length: count }, (_, i) => ({
    version: `1.${i}.0`,
    published: daysAgo(newest + (count - 1 - i) * every),
    publisher: publisher(i),
  }));
  const versions = new Map(releases.map((release) => [release.version, release.published!]));
  return factsFor('npm', name, null, {
    downloads: apiDown,
    publishTimes: { state: 'known', value: { created: releases[0]!.published, versions }, source: 'fixture registry' },
    history: { state: 'known', value: { releases, latest: releases.at(-1)!.version }, source: 'fixture registry' },
    ...changes,
  });
}

function finding(facts: PackageFacts, check: string) {
  const decision = evaluate(facts, contextWith(), at);
  return { decision, finding: decision.findings.find((f) => f.check === check)! };
}

test('an old package with many releases and a steady publisher is warned, saying which facts decided', () => {
  const { decision, finding: downloads } = finding(
    withReleases('steady', 12, 90, 30, () => 'alice'),
    'downloads',
  );
  assert.is(decision.decision, 'warn');
  assert.is(
    downloads.message,
    `steady: download count unavailable; established by age and history (first release ${daysAgo(30 + 11 * 90)
      .toISOString()
      .slice(0, 10)}; 12 releases; published by alice since ${daysAgo(30 + 11 * 90)
      .toISOString()
      .slice(0, 10)})`,
  );
  assert.equal(downloads.evidence.decidedBy, [
    `first release ${daysAgo(1020).toISOString().slice(0, 10)}`,
    '12 releases',
    `published by alice since ${daysAgo(1020).toISOString().slice(0, 10)}`,
  ]);
});

test('young, thin, bunched or newly published packages are still denied, saying why (exit 3: facts unavailable)', () => {
  const cases: [PackageFacts, RegExp][] = [
    [withReleases('young', 8, 7, 5, () => 'alice'), /its first release was .*, less than a year ago/],
    [withReleases('thin', 3, 300, 10, () => 'alice'), /it has 3 releases \(5 are needed\)/],
    [withReleases('bunched', 6, 1, 400, () => 'alice'), /its 6 releases span 5 days \(90 are needed\)/],
    [
      withReleases('taken-over', 12, 90, 2, (i) => (i === 11 ? 'mallory' : 'alice')),
      /mallory, who published 1\.11\.0, published none of its releases 90 days or more before it/,
    ],
  ];
  for (const [facts, why] of cases) {
    const { decision, finding: downloads } = finding(facts, 'downloads');
    assert.is(decision.decision, 'deny', facts.name);
    assert.match(
      downloads.message,
      /^download count could not be obtained, so depfence refuses rather than guess: npm downloads API did not answer; nor is it established by age and history: /,
    );
    assert.match(downloads.message, why);
    assert.ok(deniedOnlyForMissingFacts(decision), 'still a denial for a missing fact');
  }
});

function known<T>(fact: Fact<T>): T {
  if (fact.state !== 'known') throw new Error('expected a known fact');
  return fact.value;
}

function scopeSibling(publisher: string | null, downloads = 20_000_000): PackageFacts['scope'] {
  const sibling = withReleases('@rollup/rollup-linux-x64-gnu', 40, 20, 3, () => publisher);
  return {
    state: 'known',
    source: 'fixture registry',
    value: { name: '@rollup/rollup-linux-x64-gnu', downloads, times: known(sibling.publishTimes), history: known(sibling.history!) },
  };
}

test("a new platform package of an established scope, by the scope's own publisher, is warned, not denied", () => {
  const fresh = withReleases('@rollup/rollup-newplat-x64', 2, 5, 3, () => 'lukastaegert', { scope: scopeSibling('lukastaegert') });
  const decision = evaluate(fresh, contextWith(), at);
  assert.is(decision.decision, 'warn');
  const age = decision.findings.find((f) => f.check === 'age')!;
  assert.is(age.severity, 'warn');
  assert.match(
    age.message,
    /first published 8d ago; new packages are refused until they are 30d old, but it is a new package of the established scope @rollup \(published by lukastaegert, who publishes @rollup\/rollup-linux-x64-gnu; @rollup\/rollup-linux-x64-gnu: 20,000,000 downloads a month, first release/,
  );
  assert.is(decision.findings.find((f) => f.check === 'downloads')!.severity, 'warn');
});

test('the scope rule needs the same publisher, a popular and settled sibling, and recorded publishers', () => {
  const cases: [PackageFacts['scope'], string | null, RegExp][] = [
    [scopeSibling('lukastaegert'), 'stranger', /its publisher stranger publishes none of @rollup\/rollup-linux-x64-gnu's releases/],
    [scopeSibling('lukastaegert', 50), 'lukastaegert', /has 50 downloads a month \(under 1000\)/],
    [scopeSibling(null), null, /the registry names no publisher for it/],
    [{ state: 'unavailable', reason: 'registry down', source: 'x' }, 'lukastaegert', /its scope could not be checked \(registry down\)/],
  ];
  for (const [scope, publisher, why] of cases) {
    const decision = evaluate(
      withReleases('@rollup/rollup-newplat-x64', 2, 5, 3, () => publisher, { ...(scope && { scope }) }),
      contextWith(),
      at,
    );
    assert.is(decision.decision, 'deny');
    assert.is(decision.findings.find((f) => f.check === 'age')!.severity, 'deny');
    assert.match(decision.findings.find((f) => f.check === 'downloads')!.message, why);
  }
});

test('a registry that records no publishers at all: age and releases decide, and the warning says so', () => {
  const { decision, finding: downloads } = finding(
    withReleases('old-mirror', 10, 60, 20, () => null),
    'downloads',
  );
  assert.is(decision.decision, 'warn');
  assert.match(downloads.message, /publishers not recorded by the registry/);
});

test.run();
