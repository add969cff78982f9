// The record reader on real OSV records (see test/fixtures/osv-records/SOURCES.md): a malicious
// package for every version, a GitHub advisory whose range starts at a prerelease, a PyPI advisory
// whose name OSV gives PEP 503-normalised, a withdrawn advisory of another ecosystem.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isAffected } from '../../src/sources/osv/affected.js';
import { parseOsvRecord } from '../../src/sources/osv/record.js';
import { versionOrder } from '../../src/sources/osv/version-order.js';

const test = suite('feeds/real-records');
const NOW = new Date('2026-11-27T00:00:00Z');
const read = (id: string) => readFileSync(new URL(`../fixtures/osv-records/${id}.json`, import.meta.url), 'utf8');

function affected(id: string, ecosystem: 'npm' | 'pypi') {
  const outcome = parseOsvRecord(read(id), ecosystem, NOW);
  if (outcome.kind !== 'advisory') throw new Error(`${id}: ${outcome.kind}`);
  assert.equal(outcome.warnings, []);
  return outcome.packages;
}

test('MAL-2022-9: 0-dns, every version, malicious', () => {
  const [entry] = affected('MAL-2022-9', 'npm');
  assert.is(entry!.name, '0-dns');
  assert.equal(
    [entry!.advisory.kind, entry!.advisory.everyVersion, entry!.advisory.summary],
    ['malicious', true, 'Malicious code in 0-dns (npm)'],
  );
  assert.ok(isAffected('99.0.0', entry!.advisory.affected, versionOrder('npm')));
});

test('GHSA-mhpp-875w-9cpv: jquery from 2.1.1-0 to 3.0.0, prereleases included; no score, so unscored', () => {
  const [entry] = affected('GHSA-mhpp-875w-9cpv', 'npm');
  const order = versionOrder('npm');
  const hit = (version: string) => isAffected(version, entry!.advisory.affected, order);
  assert.equal(['2.1.0', '2.1.1-beta1', '2.1.1', '2.2.4', '3.0.0-alpha1', '3.0.0', '3.7.1'].map(hit), [
    false,
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  assert.equal([entry!.advisory.fixed, entry!.advisory.severity, entry!.advisory.aliases], [['3.0.0'], null, ['CVE-2016-10707']]);
  assert.is(parseOsvRecord(read('GHSA-mhpp-875w-9cpv'), 'pypi', NOW).kind, 'elsewhere', 'not a PyPI package');
});

test('GHSA-p44j-xrqg-4xrr: a PyPI advisory, PEP 440 order', () => {
  const [entry] = affected('GHSA-p44j-xrqg-4xrr', 'pypi');
  assert.is(entry!.name, 'products-pluggableauthservice');
  const hit = (version: string) => isAffected(version, entry!.advisory.affected, versionOrder('pypi'));
  assert.equal(['1.0', '2.6.0', '2.6.1rc1', '2.6.1', '2.6.1.post1', '3.0'].map(hit), [true, true, true, false, false, false]);
});

test('GHSA-35c4-f3rq-f9g3: withdrawn', () => {
  assert.equal(parseOsvRecord(read('GHSA-35c4-f3rq-f9g3'), 'npm', NOW), { kind: 'withdrawn', id: 'GHSA-35c4-f3rq-f9g3' });
});

test.run();
