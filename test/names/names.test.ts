// Per-ecosystem names: PEP 503 normalisation and validity for PyPI, scope split and validity for npm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonicalName,
  canonicalNpmName,
  MAX_NAME_LENGTH,
  normalizePypiName,
  parseNpmName,
  validateName,
  validateNpmName,
  validatePypiName,
} from '../../src/names/index.js';

test('PEP 503 normalisation folds runs of separators and case', () => {
  assert.is(normalizePypiName('Foo_Bar.baz'), 'foo-bar-baz');
  assert.is(normalizePypiName('zope.interface'), 'zope-interface');
  assert.is(normalizePypiName('A--_.b'), 'a-b');
  assert.is(normalizePypiName('PyYAML'), 'pyyaml');
  assert.is(canonicalName('pypi', 'Typing_Extensions'), 'typing-extensions');
});

test('npm names compare lowercase and split the scope', () => {
  assert.is(canonicalNpmName('JSONStream'), 'jsonstream');
  assert.is(canonicalName('npm', '@Types/Node'), '@types/node');
  // npm never folds separators: lodash.pick and lodash-pick are different packages
  assert.is(canonicalName('npm', 'lodash.pick'), 'lodash.pick');
  assert.equal(parseNpmName('@types/node'), { scope: 'types', bare: 'node' });
  assert.equal(parseNpmName('JSONStream'), { scope: null, bare: 'JSONStream' });
  assert.equal(parseNpmName('@scope/a/b'), { scope: 'scope', bare: 'a/b' });
  assert.equal(parseNpmName('@noslash'), { scope: null, bare: '@noslash' });
});

test('valid PyPI names pass', () => {
  for (const name of ['requests', 'zope.interface', 'typing_extensions', 'A', '4suite', 'x'.repeat(MAX_NAME_LENGTH)]) {
    assert.is(validatePypiName(name), null, name);
  }
});

test('valid npm names pass, legacy mixed-case and special-character names included', () => {
  for (const name of [
    'lodash',
    '@types/node',
    'JSONStream',
    'lodash._reinterpolate',
    'crypto',
    '~foo',
    'htmx.ext...chunked-transfer',
    'a'.repeat(214),
  ]) {
    assert.is(validateNpmName(name), null, name);
  }
});

test('both ecosystems reject traversal, extra slashes, empty, control characters and 215 characters', () => {
  const bad = ['../x', 'a/b/c', '', 'ab\u0000c', 'ab\nc', 'tab\there', 'x'.repeat(MAX_NAME_LENGTH + 1), '..', 'a/../b', 'a\\b'];
  for (const ecosystem of ['npm', 'pypi'] as const) {
    for (const name of bad) {
      const reason = validateName(ecosystem, name);
      assert.type(reason, 'string', `${ecosystem} ${JSON.stringify(name)}`);
      assert.ok(/^[A-Z].*\.$/.test(reason!), `one sentence: ${reason}`);
    }
  }
  assert.match(validateName('pypi', 'x'.repeat(215))!, '215 characters');
  for (const name of ['.', '..', '../x', 'x/..', '@s/.', 'a/./b'])
    assert.match(validateName('npm', name)!, "'.' or '..' path segment", JSON.stringify(name));
  for (const name of ['...', '@s/...', '.x', 'x.', '..x'])
    assert.not.match(validateName('npm', name) ?? '', 'path segment', JSON.stringify(name));
});

test('npm rejects what the registry refuses for existing packages', () => {
  for (const name of [
    '@a/b/c',
    '@/x',
    '@scope/',
    '@scope',
    '.hidden',
    '_private',
    '@scope/.x',
    '@_s/x',
    'has space',
    ' lead',
    'node_modules',
    'favicon.ico',
    'a?b',
    'ä',
  ]) {
    assert.type(validateNpmName(name), 'string', name);
  }
});

test('PyPI rejects names that are not PEP 508 names', () => {
  for (const name of ['-lead', 'trail_', 'has space', 'a/b', 'ä', '@scope/x', 'a+b']) {
    assert.type(validatePypiName(name), 'string', name);
  }
});

test.run();
