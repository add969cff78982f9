// The advisory check's policy settings: policy.malicious, policy.vulnerabilities thresholds and
// `unscored`, deny: null, a package allow entry (vulnerabilities yield, malware does not) and an
// expired advisory entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, judgeVersion, type Advisory, type AdvisoryLookup } from '../../src/policy/index.js';
import { contextWith, defaultConfig, factsFor, NOW } from '../helpers/policy.js';

function advisory(fields: Partial<Advisory> & { id: string }): Advisory {
  return {
    aliases: [],
    kind: 'vulnerability',
    summary: `${fields.id} summary`,
    severity: 'critical',
    score: 9.8,
    severitySource: 'CVSS:3.1/…',
    fixed: ['2.0.0'],
    everyVersion: false,
    ...fields,
  };
}

function lookup(advisories: Advisory[]): AdvisoryLookup {
  return {
    forPackage: (ecosystem, name) =>
      name === 'target'
        ? {
            all: advisories,
            affecting: (version) =>
              version.startsWith('1.') ? advisories.map((a) => ({ advisory: a, upgradeTo: a.fixed[0] ?? null })) : [],
          }
        : null,
  };
}

const severities = (decision: ReturnType<typeof evaluate>) =>
  decision.findings.filter((f) => f.check === 'vulnerability' || f.check === 'malicious').map((f) => `${f.check}:${f.severity}`);

test('thresholds: critical denies, high warns, medium informs; unscored counts as policy.vulnerabilities.unscored', () => {
  const ctx = contextWith({
    advisories: lookup([
      advisory({ id: 'GHSA-c' }),
      advisory({ id: 'GHSA-h', severity: 'high', score: 7.5 }),
      advisory({ id: 'GHSA-m', severity: 'medium', score: 5 }),
      advisory({ id: 'PYSEC-u', severity: null, score: null }),
    ]),
  });
  assert.equal(severities(evaluate(factsFor('npm', 'target', '1.0.0'), ctx, { now: NOW })), [
    'vulnerability:deny',
    'vulnerability:warn',
    'vulnerability:info',
    'vulnerability:warn',
  ]);
  assert.equal(severities(evaluate(factsFor('npm', 'target', '2.0.0'), ctx, { now: NOW })), []);
  const config = defaultConfig();
  config.policy.vulnerabilities = { deny: null, warn: 'medium', unscored: 'critical' };
  const relaxed = contextWith({ config, advisories: ctx.advisories });
  assert.equal(severities(evaluate(factsFor('npm', 'target', '1.0.0'), relaxed, { now: NOW })), [
    'vulnerability:warn',
    'vulnerability:warn',
    'vulnerability:warn',
    'vulnerability:warn',
  ]);
  assert.is(
    judgeVersion({ ecosystem: 'npm', name: 'target', canonicalName: 'target', version: '1.0.0', published: new Date(0) }, relaxed, NOW)
      .hidden,
    false,
  );
  assert.is(
    judgeVersion({ ecosystem: 'npm', name: 'target', canonicalName: 'target', version: '1.0.0', published: new Date(0) }, ctx, NOW).hidden,
    true,
  );
});

test('policy.malicious: warn reports a malicious version instead of denying; no allow entry overrides malware', () => {
  const mal = advisory({ id: 'MAL-1', kind: 'malicious', severity: null, score: null, fixed: [] });
  const config = defaultConfig();
  config.allow = [{ ecosystem: 'npm', name: 'target', reason: 'vetted' }];
  const allowed = contextWith({ config, advisories: lookup([mal, advisory({ id: 'GHSA-c' })]) });
  const decision = evaluate(factsFor('npm', 'target', '1.0.0'), allowed, { now: NOW });
  assert.equal(severities(decision), ['malicious:deny', 'vulnerability:info']);
  assert.is(decision.decision, 'deny');
  config.policy.malicious = 'warn';
  const warned = contextWith({ config, advisories: lookup([mal]) });
  assert.equal(severities(evaluate(factsFor('npm', 'target', '1.0.0'), warned, { now: NOW })), ['malicious:warn']);
});

test('an expired advisory entry no longer accepts, and says so', () => {
  const config = defaultConfig();
  config.allow = [{ advisory: 'GHSA-c', reason: 'until the upgrade', expires: new Date(NOW.getTime() - 1000) }];
  const ctx = contextWith({ config, advisories: lookup([advisory({ id: 'GHSA-c' })]) });
  const finding = evaluate(factsFor('npm', 'target', '1.0.0'), ctx, { now: NOW }).findings.find((f) => f.check === 'vulnerability')!;
  assert.is(finding.severity, 'deny');
  assert.is(finding.evidence.expiredAllow, 'until the upgrade');
});

test.run();
