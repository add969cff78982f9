import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, deniedOnlyForMissingFacts, type Decision } from '../../src/policy/index.js';
import { NOW, blocklistsOf, contextWith, daysAgo, defaultConfig, factsFor, matcherOf } from '../helpers/policy.js';

const at = { now: NOW };

function checksOf(decision: Decision, severity?: string): string[] {
  return decision.findings.filter((f) => severity === undefined || f.severity === severity).map((f) => f.check);
}

test('a healthy package is allowed with no findings', () => {
  const decision = evaluate(factsFor('npm', 'react', '18.0.0'), contextWith(), at);
  assert.is(decision.decision, 'allow');
  assert.equal(decision.findings, []);
  assert.equal(
    { ecosystem: decision.ecosystem, name: decision.name, version: decision.version },
    { ecosystem: 'npm', name: 'react', version: '18.0.0' },
  );
});

test('age: a package first published 10 days ago is denied (minPackageAge 30d)', () => {
  const versions = new Map([['1.0.0', daysAgo(10)]]);
  const facts = factsFor('pypi', 'fresh-thing', null, {
    publishTimes: { state: 'known', value: { created: daysAgo(10), versions }, source: 'fixture' },
  });
  const decision = evaluate(facts, contextWith(), at);
  assert.is(decision.decision, 'deny');
  const finding = decision.findings.find((f) => f.check === 'age')!;
  assert.match(finding.message, /first published 10d ago/);
  assert.match(finding.message, /30d/);
  assert.is(finding.evidence.minPackageAge, '30d');
});

test('age: a version published an hour ago is denied, one 4 days old is not', () => {
  const versions = new Map([
    ['1.0.0', daysAgo(400)],
    ['2.0.0', new Date(NOW.getTime() - 3_600_000)],
    ['1.5.0', daysAgo(4)],
  ]);
  const facts = (version: string) =>
    factsFor('npm', 'lib', version, { publishTimes: { state: 'known', value: { created: daysAgo(400), versions }, source: 'x' } });
  const young = evaluate(facts('2.0.0'), contextWith(), at);
  assert.is(young.decision, 'deny');
  assert.match(young.findings[0]!.message, /lib@2\.0\.0 was published 1h ago; versions are held back until they are 3d old/);
  assert.is(evaluate(facts('1.5.0'), contextWith(), at).decision, 'allow');
  const unknown = evaluate(facts('9.9.9'), contextWith(), at);
  assert.is(unknown.decision, 'deny', 'a version with no publish time cannot be shown to be old enough');
  assert.match(unknown.findings[0]!.message, /no publish time/);
});

test('age: a held-back version says when it is allowed and which lower version is allowed now', () => {
  const hours = (n: number) => new Date(NOW.getTime() - n * 3_600_000);
  const versions = new Map([
    ['1.0.30001820', daysAgo(20)],
    ['1.0.30001826', daysAgo(5)],
    ['1.0.30001827-beta.1', daysAgo(4)],
    ['1.0.30001827', hours(70)],
    ['1.0.30001828', hours(48)],
  ]);
  const facts = (version: string) =>
    factsFor('npm', 'caniuse-lite', version, { publishTimes: { state: 'known', value: { created: daysAgo(400), versions }, source: 'x' } });
  const held = evaluate(facts('1.0.30001828'), contextWith(), at).findings[0]!;
  assert.is(
    held.message,
    'caniuse-lite@1.0.30001828 was published 2d ago; versions are held back until they are 3d old, so 1.0.30001828 is allowed from 2026-11-26 12:00 UTC; 1.0.30001826 is allowed now',
  );
  assert.equal([held.evidence.allowedFrom, held.evidence.newestAllowed], ['2026-11-26T12:00:00.000Z', '1.0.30001826']);
  const ctx = contextWith({ deny: [{ ecosystem: 'npm', name: 'caniuse-lite', versions: '1.0.30001826', reason: 'bad build' }] });
  assert.match(
    evaluate(facts('1.0.30001828'), ctx, at).findings.find((f) => f.check === 'age')!.message,
    /; 1\.0\.30001820 is allowed now$/,
    'a denied version is not offered',
  );
  const only = factsFor('npm', 'solo', '1.0.0', {
    publishTimes: { state: 'known', value: { created: daysAgo(400), versions: new Map([['1.0.0', hours(1)]]) }, source: 'x' },
  });
  assert.match(evaluate(only, contextWith(), at).findings.find((f) => f.check === 'age')!.message, /; no lower version is allowed now$/);
});

test('downloads: below deny is denied, below warn is warned, above passes', () => {
  const withCount = (n: number) => factsFor('npm', 'thing', null, { downloads: { state: 'known', value: { exactly: n }, source: 'api' } });
  assert.is(evaluate(withCount(99), contextWith(), at).decision, 'deny');
  assert.is(evaluate(withCount(100), contextWith(), at).decision, 'warn');
  assert.is(evaluate(withCount(999), contextWith(), at).decision, 'warn');
  assert.is(evaluate(withCount(1000), contextWith(), at).decision, 'allow');
  const denied = evaluate(withCount(3), contextWith(), at).findings[0]!;
  assert.equal(denied.evidence, { downloads: '3', source: 'api', deny: 100, warn: 1000 });
});

test('downloads from a snapshot floor decide only where the floor is at or below a threshold', () => {
  const fewer = (floor: number) =>
    factsFor('npm', 'thing', null, { downloads: { state: 'known', value: { fewerThan: floor }, source: 'snapshot' } });
  assert.is(evaluate(fewer(100), contextWith(), at).decision, 'deny', 'fewer than 100 is below the deny floor of 100');
  assert.is(evaluate(fewer(500), contextWith(), at).decision, 'warn', 'fewer than 500: certainly below warn, maybe not below deny');
  const undecided = evaluate(fewer(57_487), contextWith(), at);
  assert.is(undecided.decision, 'allow');
  assert.equal(checksOf(undecided, 'info'), ['downloads']);
});

test('typosquat: denied below 1% of the target, warned above, with target and rule in the evidence', () => {
  const match = {
    target: 'requests',
    targetDownloads: 1_000_000_000,
    rule: 'swapped-chars',
    detail: "swapped 'e' and 'u'",
    tier: 'typo',
  } as const;
  const ctx = contextWith({ typosquat: { npm: matcherOf({}), pypi: matcherOf({ reqeusts: match }) } });
  const small = evaluate(factsFor('pypi', 'reqeusts'), ctx, at);
  assert.is(small.decision, 'deny');
  const finding = small.findings.find((f) => f.check === 'typosquat')!;
  assert.is(finding.evidence.target, 'requests');
  assert.is(finding.evidence.rule, 'swapped-chars');
  assert.match(finding.message, /reqeusts looks like a typosquat of requests \(swapped 'e' and 'u'\)/);
  const big = factsFor('pypi', 'reqeusts', null, { downloads: { state: 'known', value: { exactly: 20_000_000 }, source: 'api' } });
  assert.is(evaluate(big, ctx, at).decision, 'warn');
  const unknown = factsFor('pypi', 'reqeusts', null, { downloads: { state: 'not-evaluated', reason: 'offline' } });
  assert.is(evaluate(unknown, ctx, at).findings.find((f) => f.check === 'typosquat')!.severity, 'deny', 'an unknown count is denied');
  const disabled = defaultConfig();
  disabled.policy.typosquat.enabled = false;
  assert.is(evaluate(factsFor('pypi', 'reqeusts'), contextWith({ config: disabled, typosquat: ctx.typosquat }), at).decision, 'allow');
});

test('typosquat tiers: a resemblance warns, and denies only below the share and young or unpopular', () => {
  const match = {
    target: 'lodash',
    targetDownloads: 450_000_000,
    rule: 'leading-char',
    detail: "'x' put in front",
    tier: 'resemblance',
  } as const;
  const other = { target: 'lodash-es', targetDownloads: 40_000_000, rule: 'affix', detail: 'whatever', tier: 'resemblance' } as const;
  const ctx = contextWith({ typosquat: { npm: matcherOf({ xlodash: [match, other] }), pypi: matcherOf({}) } });
  const typosquat = (facts: ReturnType<typeof factsFor>) => evaluate(facts, ctx, at).findings.find((f) => f.check === 'typosquat')!;
  // Old and with 50,000 downloads (a share of 0.011%): reported, not denied.
  const established = typosquat(factsFor('npm', 'xlodash'));
  assert.is(established.severity, 'warn');
  assert.is(
    established.message,
    "xlodash resembles lodash ('x' put in front); it has 0.011% of lodash's downloads (it also resembles lodash-es)",
  );
  assert.equal(established.evidence.alsoResembles, [{ target: 'lodash-es', rule: 'affix', detail: 'whatever' }]);
  // Unpopular (at most downloads.warn): denied, and the message says why.
  const unpopular = typosquat(factsFor('npm', 'xlodash', null, { downloads: { state: 'known', value: { exactly: 300 }, source: 'api' } }));
  assert.is(unpopular.severity, 'deny');
  assert.match(unpopular.message, /, and fewer than 1,000 downloads last month/);
  // Young (first published less than typosquat.youngerThan ago): denied.
  const young = factsFor('npm', 'xlodash', null, {
    publishTimes: { state: 'known', value: { created: daysAgo(40), versions: new Map() }, source: 'registry' },
  });
  assert.is(typosquat(young).severity, 'deny');
  assert.match(typosquat(young).message, /first published less than 90d ago/);
  // Young but with a real share of the target's downloads: a warning.
  const popularYoung = { ...young, downloads: { state: 'known', value: { exactly: 9_000_000 }, source: 'api' } } as const;
  assert.is(typosquat(popularYoung).severity, 'warn');
  // An unknown count decides nothing for a resemblance (a typo would be denied).
  assert.is(typosquat(factsFor('npm', 'xlodash', null, { downloads: { state: 'not-evaluated', reason: 'offline' } })).severity, 'warn');
});

test('typosquat offline: a name below the snapshot floor says its download count is unknown', () => {
  const match = {
    target: 'some-lib',
    targetDownloads: 80_000,
    rule: 'swapped-chars',
    detail: "swapped 'm' and 'o'",
    tier: 'typo',
  } as const;
  const ctx = contextWith({ typosquat: { npm: matcherOf({}), pypi: matcherOf({ 'smoe-lib': match }) } });
  const offline = factsFor('pypi', 'smoe-lib', null, {
    downloads: { state: 'known', value: { fewerThan: 57_488 }, source: 'snapshot' },
    publishTimes: { state: 'not-evaluated', reason: 'offline' },
  });
  const finding = evaluate(offline, ctx, at).findings.find((f) => f.check === 'typosquat')!;
  assert.is(finding.severity, 'warn');
  assert.is(
    finding.message,
    "smoe-lib looks like a typosquat of some-lib (swapped 'm' and 'o'); download count unknown offline (the snapshot only says fewer than 57,488)",
  );
});

test('malicious: a whole-package entry denies; a version entry denies only that version', () => {
  const ctx = contextWith({
    blocklists: blocklistsOf([
      { ecosystem: 'npm', name: 'evil-pkg' },
      { ecosystem: 'npm', name: 'debug', versions: ['4.4.2'] },
    ]),
  });
  const evil = evaluate(factsFor('npm', 'evil-pkg'), ctx, at);
  assert.is(evil.decision, 'deny');
  assert.is(evil.findings[0]!.check, 'malicious');
  assert.is(evil.findings[0]!.evidence.list, 'blocklists/npm-malicious.txt');
  assert.is(evil.findings[0]!.evidence.line, 7);
  assert.is(evaluate(factsFor('npm', 'debug', '4.4.2'), ctx, at).decision, 'deny');
  assert.is(evaluate(factsFor('npm', 'debug', '4.4.1'), ctx, at).decision, 'allow');
  const whole = evaluate(factsFor('npm', 'debug'), ctx, at);
  assert.is(whole.decision, 'allow', 'the package as a whole is fine; its bad version is hidden');
  assert.match(whole.findings[0]!.message, /4\.4\.2/);
});

test('slopsquat list entries deny', () => {
  const ctx = contextWith({ blocklists: blocklistsOf([{ ecosystem: 'pypi', name: 'huggingface-cli', kind: 'slopsquat' }]) });
  const decision = evaluate(factsFor('pypi', 'huggingface_cli'), ctx, at);
  assert.is(decision.decision, 'deny');
  assert.equal(checksOf(decision), ['slopsquat']);
});

test('confusion: a public package with an internal name, scope or prefix is denied', () => {
  const config = defaultConfig();
  config.policy.confusion = {
    npm: { scopes: ['corp'], names: ['billing-core'], prefixes: ['corp-'] },
    pypi: { names: ['Corp_Utils'], prefixes: ['corp-'] },
  };
  const ctx = contextWith({ config });
  for (const [ecosystem, name, rule] of [
    ['npm', '@corp/ui', 'scope @corp'],
    ['npm', 'billing-core', 'name billing-core'],
    ['npm', 'corp-auth', 'prefix corp-'],
    ['pypi', 'corp.utils', 'name corp-utils'],
    ['pypi', 'corp_tools', 'prefix corp-'],
  ] as const) {
    const decision = evaluate(factsFor(ecosystem, name), ctx, at);
    assert.is(decision.decision, 'deny', name);
    assert.is(decision.findings[0]!.evidence.rule, rule);
    assert.match(decision.findings[0]!.message, /reserved for internal packages/);
  }
  assert.is(
    evaluate(factsFor('npm', '@corp/ui'), ctx, { now: NOW, origin: 'internal' }).decision,
    'allow',
    'fetched from the internal upstream it is ours',
  );
  assert.is(evaluate(factsFor('npm', '@other/ui'), ctx, at).decision, 'allow');
});

test('deny list: whole package, or only the versions in range', () => {
  const config = defaultConfig();
  config.deny = [
    { ecosystem: 'npm', name: 'left-pad', reason: 'we do not pad' },
    { ecosystem: 'pypi', name: 'six', versions: '>=1.16', reason: 'under review' },
  ];
  const ctx = contextWith({ config });
  assert.is(evaluate(factsFor('npm', 'left-pad', '1.3.0'), ctx, at).decision, 'deny');
  assert.is(evaluate(factsFor('pypi', 'six', '1.16.0'), ctx, at).decision, 'deny');
  assert.is(evaluate(factsFor('pypi', 'six', '1.15.0'), ctx, at).decision, 'allow');
  const whole = evaluate(factsFor('pypi', 'six'), ctx, at);
  assert.is(whole.decision, 'allow');
  assert.match(whole.findings[0]!.message, /versions >=1\.16 of six are on the deny list/);
});

test('allow list overrides everything except a known-malicious version, and expires', () => {
  const config = defaultConfig();
  config.allow = [
    { ecosystem: 'pypi', name: 'reqeusts', reason: 'our fork' },
    { ecosystem: 'npm', name: 'debug', reason: 'we trust debug' },
    { ecosystem: 'npm', name: 'tiny', reason: 'old waiver', expires: new Date('2026-01-01') },
  ];
  const match = { target: 'requests', targetDownloads: 1e9, rule: 'swapped-chars', detail: 'swap' } as const;
  const ctx = contextWith({
    config,
    typosquat: { npm: matcherOf({}), pypi: matcherOf({ reqeusts: { ...match, tier: 'typo' } }) },
    blocklists: blocklistsOf([{ ecosystem: 'npm', name: 'debug', versions: ['4.4.2'] }]),
  });
  const allowed = evaluate(factsFor('pypi', 'reqeusts'), ctx, at);
  assert.is(allowed.decision, 'allow');
  assert.equal(checksOf(allowed), ['typosquat', 'allowlist']);
  assert.is(allowed.findings[0]!.evidence.overridden, 'deny');
  assert.is(evaluate(factsFor('npm', 'debug', '4.4.2'), ctx, at).decision, 'deny', 'malicious beats the allow list');
  const expired = evaluate(factsFor('npm', 'tiny', null, { downloads: { state: 'known', value: { exactly: 3 }, source: 'api' } }), ctx, at);
  assert.is(expired.decision, 'deny');
  assert.match(expired.findings.at(-1)!.message, /expired on 2026-01-01/);
});

test('fail closed: unavailable facts deny, with the reason; offline facts are only reported', () => {
  const down = factsFor('npm', 'thing', null, {
    exists: { state: 'unavailable', reason: 'registry timed out', source: 'http://127.0.0.1:9/' },
    publishTimes: { state: 'unavailable', reason: 'registry timed out', source: 'http://127.0.0.1:9/' },
  });
  const decision = evaluate(down, contextWith(), at);
  assert.is(decision.decision, 'deny');
  assert.equal(checksOf(decision), ['exists'], 'one metadata failure is reported once');
  assert.match(decision.findings[0]!.message, /registry timed out/);
  assert.ok(deniedOnlyForMissingFacts(decision));

  const noDownloads = factsFor('npm', 'thing', null, { downloads: { state: 'unavailable', reason: 'downloads API 500', source: 'api' } });
  assert.is(evaluate(noDownloads, contextWith(), at).decision, 'deny');

  const offline = factsFor('npm', 'thing', '1.0.0', {
    exists: { state: 'not-evaluated', reason: 'offline' },
    publishTimes: { state: 'not-evaluated', reason: 'offline' },
  });
  const offlineDecision = evaluate(offline, contextWith(), at);
  assert.is(offlineDecision.decision, 'allow');
  assert.equal(checksOf(offlineDecision, 'info'), ['age']);
  assert.not.ok(deniedOnlyForMissingFacts(offlineDecision));
});

test('a name the registry does not know is denied as a likely invented name', () => {
  const decision = evaluate(
    factsFor('npm', 'react-super-hooks-pro', null, { exists: { state: 'known', value: false, source: 'registry' } }),
    contextWith(),
    at,
  );
  assert.is(decision.decision, 'deny');
  assert.equal(checksOf(decision), ['exists']);
  assert.match(decision.findings[0]!.message, /^there is no package named react-super-hooks-pro on the registry; names that do not exist/);
});

test('a name the registry does not know: "did you mean" the closest popular names, instead of a typosquat finding', () => {
  const lodash = {
    target: 'lodash',
    targetDownloads: 450_000_000,
    rule: 'swapped-chars',
    detail: "swapped 'h' and 's'",
    tier: 'typo',
  } as const;
  const lodashEs = { ...lodash, target: 'lodash-es', targetDownloads: 40_000_000, tier: 'resemblance' } as const;
  const ctx = contextWith({ typosquat: { npm: matcherOf({ lodahs: [lodash, lodashEs] }), pypi: matcherOf({}) } });
  const decision = evaluate(factsFor('npm', 'lodahs', null, { exists: { state: 'known', value: false, source: 'registry' } }), ctx, at);
  assert.equal(checksOf(decision), ['exists']);
  assert.match(
    decision.findings[0]!.message,
    /^there is no package named lodahs on the registry; did you mean lodash or lodash-es\? Names that do not exist/,
  );
  assert.equal(decision.findings[0]!.evidence.suggestions, ['lodash', 'lodash-es']);
});

test.run();
