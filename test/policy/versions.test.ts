import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { judgeVersion } from '../../src/policy/index.js';
import { NOW, blocklistsOf, contextWith, daysAgo, defaultConfig } from '../helpers/policy.js';

const subject = (version: string, published: Date | null, name = 'lib') => ({
  ecosystem: 'npm' as const,
  name,
  canonicalName: name,
  version,
  published,
});

test('old versions are shown, young and undated ones hidden with the reason', () => {
  const ctx = contextWith();
  assert.equal(judgeVersion(subject('1.0.0', daysAgo(10)), ctx, NOW), { hidden: false, findings: [], warnings: [] });
  const young = judgeVersion(subject('2.0.0', new Date(NOW.getTime() - 3_600_000)), ctx, NOW);
  assert.ok(young.hidden);
  assert.is(young.findings[0]!.check, 'age');
  assert.ok(judgeVersion(subject('3.0.0', null), ctx, NOW).hidden);
});

test('known-malicious and denied versions are hidden however old', () => {
  const config = defaultConfig();
  config.deny = [{ ecosystem: 'npm', name: 'lib', versions: '>=5', reason: 'broken' }];
  const ctx = contextWith({ config, blocklists: blocklistsOf([{ ecosystem: 'npm', name: 'lib', versions: ['1.2.3'] }]) });
  assert.equal(
    judgeVersion(subject('1.2.3', daysAgo(900)), ctx, NOW).findings.map((f) => f.check),
    ['malicious'],
  );
  assert.equal(
    judgeVersion(subject('5.1.0', daysAgo(900)), ctx, NOW).findings.map((f) => f.check),
    ['denylist'],
  );
  assert.not.ok(judgeVersion(subject('4.0.0', daysAgo(900)), ctx, NOW).hidden);
});

test('an allow entry lets a young version through, never a malicious one', () => {
  const config = defaultConfig();
  config.allow = [{ ecosystem: 'npm', name: 'lib', versions: '>=2', reason: 'hotfix we need' }];
  const ctx = contextWith({ config, blocklists: blocklistsOf([{ ecosystem: 'npm', name: 'lib', versions: ['2.0.1'] }]) });
  const fresh = new Date(NOW.getTime() - 60_000);
  assert.not.ok(judgeVersion(subject('2.0.0', fresh), ctx, NOW).hidden);
  assert.ok(judgeVersion(subject('1.9.0', fresh), ctx, NOW).hidden, 'outside the allowed range');
  assert.ok(judgeVersion(subject('2.0.1', daysAgo(30)), ctx, NOW).hidden);
});

test.run();
