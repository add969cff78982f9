// Modules loaded on first use are imported once: an import() per upstream request or cache read
// went through the module loader's resolution each time (a round trip to tsx's hooks thread), the
// largest single cost in a profile of the server under the load test.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCacache } from '../../src/sources/load-cacache.js';
import { loadOnce } from '../../src/sources/load-once.js';
import { loadGot } from '../../src/sources/upstream.js';

const test = suite('sources/load-once');

test('the loader runs once, for concurrent and later calls alike', async () => {
  let calls = 0;
  const load = loadOnce(() => Promise.resolve({ loaded: ++calls }));
  const [first, second] = await Promise.all([load(), load()]);
  assert.is(first, second);
  assert.is(await load(), first);
  assert.is(calls, 1);
});

test('got and cacache are imported once: every later call gets the same promise', async () => {
  assert.is(loadGot(), loadGot());
  assert.is(loadCacache(), loadCacache());
  assert.type((await loadGot()).got, 'function');
  assert.type((await loadCacache()).put, 'function');
});

test.run();
