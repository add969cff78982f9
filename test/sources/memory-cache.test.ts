import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryCache } from '../../src/sources/memory-cache.js';

const sized = (budget: number) => new MemoryCache<string>(budget, (value) => value.length);

test('keeps entries up to its byte budget, letting the least recently used go first', () => {
  const cache = sized(10);
  cache.set('a', 'xx');
  cache.set('b', 'xx');
  cache.set('c', 'xx');
  assert.is(cache.get('a'), 'xx'); // a is now the most recently used
  cache.set('d', 'xx');
  cache.set('e', 'xx');
  cache.set('f', 'xx');
  assert.is(cache.bytes, 10);
  assert.is(cache.get('b'), undefined, 'b was the least recently used');
  assert.is(cache.get('a'), 'xx');
  assert.is(cache.get('f'), 'xx');
});

test('replacing an entry counts its new size; a value larger than a quarter of the budget is not kept', () => {
  const cache = sized(100);
  cache.set('a', 'x'.repeat(10));
  cache.set('a', 'x'.repeat(20));
  assert.is(cache.bytes, 20);
  cache.set('a', 'x'.repeat(26));
  assert.is(cache.get('a'), undefined, 'too large: and the old value is gone too, never served in its place');
  assert.is(cache.bytes, 0);
});

test('delete frees the bytes', () => {
  const cache = sized(100);
  cache.set('a', 'xxxx');
  cache.delete('a');
  cache.delete('missing');
  assert.is(cache.bytes, 0);
  assert.is(cache.get('a'), undefined);
});

test.run();
