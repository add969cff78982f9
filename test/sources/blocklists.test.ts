import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BUILTIN_BLOCKLISTS,
  combineBlocklists,
  loadBlocklist,
  loadBlocklists,
  loadBuiltinBlocklists,
  parseBlocklist,
} from '../../src/sources/blocklists.js';
import { loadDownloadSnapshot } from '../../src/sources/snapshot.js';
import { canonicalName } from '../../src/names/index.js';

const builtin = loadBuiltinBlocklists();

test('debug@4.4.2 is listed; debug@4.4.1 and debug as a whole name are not', () => {
  const hits = builtin.lookup('npm', 'debug', '4.4.2');
  assert.is(hits.length, 1);
  assert.equal(hits[0]!.kind, 'malicious');
  assert.is(hits[0]!.allVersions, false);
  assert.equal(hits[0]!.versions, ['4.4.2']);
  assert.is(hits[0]!.file, 'blocklists/npm-malicious.txt');
  assert.match(hits[0]!.source, 'DataDog/malicious-software-packages-dataset');
  assert.equal(builtin.lookup('npm', 'debug', '4.4.1'), []);
});

test('with no version asked, version-specific entries come back with their versions', () => {
  const hits = builtin.lookup('npm', 'debug', null);
  assert.is(hits.length, 1);
  assert.is(hits[0]!.allVersions, false);
  assert.equal(hits[0]!.versions, ['4.4.2']);
  const scoped = builtin.lookup('npm', '@solana/web3.js', null);
  assert.equal(scoped[0]!.versions, ['1.95.7']);
  assert.equal(builtin.lookup('npm', '@solana/web3.js', '1.95.7').length, 1);
});

test('whole-name entries match any version and no version', () => {
  for (const version of [null, '0.0.1', '99.9.9']) {
    const hits = builtin.lookup('npm', '000webhost-admin', version);
    assert.is(hits.length, 1, `version ${version}`);
    assert.is(hits[0]!.allVersions, true);
    assert.is(hits[0]!.versions, undefined);
  }
  assert.equal(builtin.lookup('npm', 'lodash', null), []);
  assert.equal(builtin.lookup('pypi', 'requests', '2.32.0'), []);
});

test('PyPI names are compared after PEP 503 normalisation; lists apply to their own ecosystem', () => {
  assert.is(builtin.lookup('pypi', canonicalName('pypi', 'LiteLLM'), '1.82.7').length, 1);
  assert.is(builtin.lookup('pypi', 'Roblox.-com', null).length, 1);
  assert.equal(builtin.lookup('pypi', 'litellm', '1.82.6'), []);
  assert.equal(builtin.lookup('npm', 'huggingface-cli', null), []);
  const slop = builtin.lookup('pypi', 'HuggingFace_CLI', '0.1.0');
  assert.is(slop.length, 1);
  assert.is(slop[0]!.kind, 'slopsquat');
  assert.match(slop[0]!.source, 'Lasso Security');
  assert.is(slop[0]!.file, 'blocklists/pypi-slopsquat.txt');
});

test('hits say file, line and source; a line comment is the source', () => {
  const list = parseBlocklist(
    '# source: a test list\n\nevil\ngood@1.0.0\ngood@1.0.1  # reported by someone\n',
    'test.txt',
    'npm',
    'malicious',
  );
  assert.equal(list.lookup('npm', 'evil', null), [
    { kind: 'malicious', allVersions: true, file: 'test.txt', line: 3, source: 'a test list' },
  ]);
  assert.equal(list.lookup('npm', 'good', '1.0.1'), [
    { kind: 'malicious', allVersions: false, versions: ['1.0.0', '1.0.1'], file: 'test.txt', line: 5, source: 'reported by someone' },
  ]);
  assert.equal(list.lookup('npm', 'good', null)[0]!.line, 4);
  assert.equal(list.lookup('npm', 'GOOD', '2.0.0'), []);
});

test('malformed lines are errors naming file and line', () => {
  const bad = ['two words', 'name@', '@scope', 'a/b/c', 'name@1.0 extra', 'bad name@1'];
  for (const line of bad) {
    assert.throws(() => parseBlocklist(`# source: x\nok\n${line}\n`, 'bad.txt', 'npm', 'malicious'), /bad\.txt:3/, line);
  }
  assert.throws(() => parseBlocklist('-leading-dash\n', 'bad.txt', 'pypi', 'slopsquat'), /bad\.txt:1: .*not a valid pypi package name/);
  const dir = mkdtempSync(join(tmpdir(), 'depfence-blocklist-'));
  try {
    const file = join(dir, 'mine.txt');
    writeFileSync(file, 'fine\nnot fine\n');
    assert.throws(
      () => loadBlocklist(file, 'npm', 'malicious'),
      (err: Error & { code?: string; line?: number }) => err.code === 'EBLOCKLIST' && err.line === 2 && err.message.includes(`${file}:2`),
    );
    assert.throws(() => loadBlocklist(join(dir, 'missing.txt'), 'npm', 'malicious'), /cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user lists combine with the built-in ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-blocklist-'));
  try {
    const file = join(dir, 'mine.txt');
    writeFileSync(file, '# source: our security team\nleft-pad@1.3.0\n');
    const withBuiltin = loadBlocklists({ builtin: true, files: [{ path: file, ecosystem: 'npm', kind: 'malicious' }] });
    assert.is(withBuiltin.lookup('npm', 'left-pad', '1.3.0')[0]!.file, file);
    assert.is(withBuiltin.lookup('npm', 'debug', '4.4.2').length, 1);
    const onlyMine = loadBlocklists({ builtin: false, files: [{ path: file, ecosystem: 'npm', kind: 'malicious' }] });
    assert.equal(onlyMine.lookup('npm', 'debug', '4.4.2'), []);
    const both = combineBlocklists([onlyMine, onlyMine]);
    assert.is(both.lookup('npm', 'left-pad', null).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the slopsquat lists name no popular package (top 2,000 of either snapshot)', () => {
  for (const ecosystem of ['npm', 'pypi'] as const) {
    const top = new Set<string>();
    for (const entry of loadDownloadSnapshot(ecosystem).mostDownloaded()) {
      if (top.size === 2000) break;
      top.add(canonicalName(ecosystem, entry.name));
    }
    for (const config of BUILTIN_BLOCKLISTS.filter((list) => list.kind === 'slopsquat')) {
      const list = loadBlocklist(config.path, config.ecosystem, config.kind);
      assert.ok(list.entries.length > 0);
      for (const entry of list.entries) {
        assert.not.ok(top.has(canonicalName(ecosystem, entry.name)), `${list.file}: ${entry.name} is a popular ${ecosystem} package`);
        assert.ok(entry.comment, `${list.file}:${entry.line} has no source comment`);
      }
    }
  }
});

test('the built-in malicious lists carry their provenance', () => {
  for (const config of BUILTIN_BLOCKLISTS.filter((list) => list.kind === 'malicious')) {
    const list = loadBlocklist(config.path, config.ecosystem, config.kind);
    assert.match(list.source, /DataDog\/malicious-software-packages-dataset, samples\/(npm|pypi)\/manifest\.json at commit [0-9a-f]{7,}/);
    assert.ok(list.entries.length > 1000);
  }
});

test.run();
