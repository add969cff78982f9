// Class 7 of issue #10: metadata of hidden or denied versions must not leak through the endpoints
// that describe packages without being their packument. `/-/package/NAME/dist-tags` and search
// results show what an install would see (a too-young `latest` is replaced, a denied package has
// no answer), `/-/all` is not served, and searches naming a reserved internal name stay local in
// any case or punctuation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { rawRequest, startNpmFirewall } from '../helpers/npm-firewall.js';

const HOUR = 3_600_000;
const POPULAR = 5_000_000;

let npm: NpmUpstream;
let internal: NpmUpstream;
let firewall: TestFirewall;

const get = (path: string) => rawRequest(firewall.url, path);

test.before(async () => {
  npm = await NpmUpstream.start();
  internal = await NpmUpstream.start();
  npm.addPackage('left-pad', {
    versions: {
      '1.0.0': { published: daysAgo(400) },
      '1.1.0': { published: daysAgo(300) },
      '1.2.0': { published: new Date(Date.now() - HOUR) },
    },
    distTags: { latest: '1.2.0', legacy: '1.0.0', fresh: '1.2.0' },
    downloads: POPULAR,
  });
  npm.addPackage('left-young', { versions: { '1.0.0': { published: new Date(Date.now() - HOUR) } }, downloads: POPULAR });
  npm.addPackage('left-unloved', { versions: { '1.0.0': { published: daysAgo(700) } }, downloads: 3 });
  internal.addPackage('mycorp-tool', { versions: { '1.0.0': { published: daysAgo(100) } } });
  firewall = await startNpmFirewall({
    npm,
    internal,
    configure: (config) => {
      config.policy.confusion.npm = { scopes: ['@mycorp'], names: [], prefixes: ['mycorp-'] };
    },
  });
});

test.after(async () => {
  await firewall?.close();
  await npm?.close();
  await internal?.close();
});

test('/-/package/NAME/dist-tags shows the filtered tags, and refuses a denied package', async () => {
  const tags = await get('/-/package/left-pad/dist-tags');
  assert.is(tags.status, 200);
  assert.equal(tags.json, { latest: '1.1.0', legacy: '1.0.0' }, 'the young 1.2.0 is neither latest nor fresh');
  const denied = await get('/-/package/left-unloved/dist-tags');
  assert.is(denied.status, 403, denied.text);
  const bad = await get('/-/package/..%2f..%2fx/dist-tags');
  assert.is(bad.status, 400);
});

test('search results show each package at its filtered latest and leave out refused packages', async () => {
  // the query npm 11 sends, unknown extras dropped
  const answer = await get('/-/v1/search?text=left&size=20&from=0&quality=0.65&popularity=0.98&maintenance=0.5&searchopts=x');
  assert.is(answer.status, 200, answer.text);
  const objects = (answer.json!.objects as { package: { name: string; version: string; date?: string } }[]).map((object) => object.package);
  const byName = new Map(objects.map((pkg) => [pkg.name, pkg]));
  assert.is(byName.get('left-pad')?.version, '1.1.0', 'not the too-young 1.2.0');
  assert.is(byName.get('left-pad')?.date, undefined, "the hidden version's date is not shown either");
  assert.not.ok(byName.has('left-young'), 'no version old enough: no result');
  assert.not.ok(byName.has('left-unloved'), 'a denied package is not listed');
  assert.is(answer.json!.total, objects.length);
});

test('/-/all is not served, and the upstream is never asked for it', async () => {
  for (const path of ['/-/all', '/-/all/since?stale=update_after&startkey=1']) {
    const answer = await get(path);
    assert.is(answer.status, 404, path);
    assert.match(answer.text, /not served/);
  }
  assert.equal(
    npm.requests.filter((request) => request.path.startsWith('/-/all')),
    [],
  );
});

test('a search mentioning a reserved name in any case or punctuation stays local', async () => {
  for (const text of ['MyCorp-Tool', 'MYCORP_TOOL', '@MyCorp/x', 'my\u200bcorp', 'my.corp', 'scope:MyCorp']) {
    const answer = await get(`/-/v1/search?text=${encodeURIComponent(text)}`);
    assert.is(answer.status, 200, `${text}: ${answer.text}`);
  }
  const leaked = [...npm.requests, ...internal.requests].filter((request) =>
    /mycorp/i.test(decodeURIComponent(request.query).replace(/[^\p{L}\p{N}]/gu, '')),
  );
  assert.equal(leaked, [], 'no upstream saw the reserved name');
});

test.run();
