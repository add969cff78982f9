import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchNpmDownloads, fetchPypiDownloads } from '../../src/sources/downloads.js';
import { createHttpClient, UpstreamError } from '../../src/sources/http.js';
import { fetchNpmPackument, npmPackumentUrl, npmPublishTimes, type NpmPackument } from '../../src/sources/npm-metadata.js';
import { fetchPypiProject, pypiPublishTimes } from '../../src/sources/pypi-metadata.js';
import { NpmUpstream, PypiUpstream } from '../fixtures/index.js';

const test = suite('sources/metadata and downloads');
let npm: NpmUpstream;
let pypi: PypiUpstream;
const http = createHttpClient({
  timeoutMs: 2000,
  retries: 0,
  concurrency: 8,
  cacheTtlMs: 0,
  staleIfErrorMs: 0,
  maxResponseBytes: 1_000_000,
  cacheDir: null,
});

const T0 = new Date('2024-01-10T12:00:00.000Z');
const T1 = new Date('2024-03-01T08:30:00.000Z');
const T2 = new Date('2025-06-15T00:00:00.000Z');

test.before(async () => {
  [npm, pypi] = await Promise.all([NpmUpstream.start(), PypiUpstream.start()]);
  npm.addPackage('left-pad', {
    versions: { '1.0.0': { published: T0 }, '1.1.0': { published: T1, dependencies: { tslib: '^2' } } },
    downloads: 1234,
  });
  npm.addPackage('@acme/widget', { versions: { '2.0.0': { published: T2 } }, downloads: 7 });
  npm.addPackage('quiet', { versions: { '0.1.0': { published: T2 } }, downloads: null });
  pypi.addProject('Requests_Toolbelt', {
    releases: {
      '0.9': { uploaded: T0 },
      // the wheel came long after the sdist: the release's time is its earliest file
      '1.0': {
        uploaded: T1,
        files: [
          { kind: 'wheel', uploaded: T2 },
          { kind: 'sdist', uploaded: T1 },
        ],
      },
    },
    downloads: 98765,
  });
  pypi.addProject('unlisted', { releases: { '1.0': { uploaded: T2 } } });
});
test.after(async () => {
  await Promise.all([npm.close(), pypi.close()]);
});
test.before.each(() => {
  npm.clearFaults();
  npm.resetLog();
  pypi.clearFaults();
  pypi.resetLog();
});

// ── npm ───────────────────────────────────────────────────────────────────────────────────────

test('npm: the full packument is fetched with Accept: application/json and read into publish times', async () => {
  const answer = await fetchNpmPackument(http, npm.registryUrl, 'left-pad');
  assert.ok(answer.found);
  if (!answer.found) return;
  assert.is(answer.packument.name, 'left-pad');
  assert.equal(Object.keys(answer.packument.versions), ['1.0.0', '1.1.0']);
  assert.equal(answer.packument['dist-tags'], { latest: '1.1.0' });
  assert.is(npm.requests[0]!.accept, 'application/json');
  const times = npmPublishTimes(answer.packument);
  assert.equal(times.created, T0);
  assert.equal(
    [...times.versions],
    [
      ['1.0.0', T0],
      ['1.1.0', T1],
    ],
  );
});

test('npm: scoped names are requested as @scope%2fname', async () => {
  assert.is(npmPackumentUrl('https://registry.npmjs.org/', '@acme/widget'), 'https://registry.npmjs.org/@acme%2fwidget');
  assert.is(npmPackumentUrl('https://r.example/npm', 'left-pad'), 'https://r.example/npm/left-pad');
  const answer = await fetchNpmPackument(http, npm.registryUrl, '@acme/widget');
  assert.ok(answer.found);
  assert.is(npm.requests[0]!.path, '/@acme%2fwidget');
});

test('npm: an unknown name is { found: false }', async () => {
  assert.equal(await fetchNpmPackument(http, npm.registryUrl, 'no-such-thing'), { found: false });
});

test('npm: publish times without `created` fall back to the earliest version; versions without a time are left out', () => {
  const packument = {
    name: 'x',
    'dist-tags': {},
    versions: { '1.0.0': {}, '2.0.0': {}, '3.0.0': {} },
    time: {
      '1.0.0': '2020-05-01T00:00:00.000Z',
      '2.0.0': '2019-01-01T00:00:00.000Z',
      '3.0.0': 'not a date',
      modified: '2024-01-01T00:00:00Z',
    },
  } as NpmPackument;
  const times = npmPublishTimes(packument);
  assert.equal(times.created, new Date('2019-01-01T00:00:00.000Z'));
  assert.equal([...times.versions.keys()], ['1.0.0', '2.0.0']);
});

test('npm: a document that is not a packument is EUPSTREAM_MALFORMED naming the problem and the setting', async () => {
  npm.malformed({ body: JSON.stringify({ name: 'left-pad', versions: 'lots' }) });
  try {
    await fetchNpmPackument(http, npm.registryUrl, 'left-pad');
    assert.unreachable('should have failed');
  } catch (error) {
    assert.instance(error, UpstreamError);
    assert.is((error as UpstreamError).code, 'EUPSTREAM_MALFORMED');
    assert.match(
      (error as UpstreamError).message,
      /^npm registry at .*\(the packument's "versions" is not an object\), so nothing from it is used; if upstreams\.npm\.registry/,
    );
  }
});

test('npm: the document of a fully unpublished package (no versions) is accepted', async () => {
  npm.malformed({
    body: JSON.stringify({
      name: 'gone',
      time: { created: '2020-01-01T00:00:00.000Z', unpublished: { time: '2021-01-01T00:00:00.000Z' } },
    }),
  });
  const answer = await fetchNpmPackument(http, npm.registryUrl, 'left-pad');
  assert.ok(answer.found);
  if (answer.found) assert.equal(npmPublishTimes(answer.packument).versions.size, 0);
});

test('npm downloads: point/last-month count, and a 404 is a count of 0 that says so', async () => {
  const known = await fetchNpmDownloads(http, npm.downloadsUrl, 'left-pad');
  assert.equal(known, { count: { exactly: 1234 }, source: 'npm downloads API, last month' });
  assert.is(npm.requests[0]!.path, '/downloads/point/last-month/left-pad');
  assert.equal((await fetchNpmDownloads(http, npm.downloadsUrl, '@acme/widget')).count, { exactly: 7 });
  assert.is(npm.requests[1]!.path, '/downloads/point/last-month/@acme/widget');
  const none = await fetchNpmDownloads(http, npm.downloadsUrl, 'quiet');
  assert.equal(none.count, { exactly: 0 });
  assert.match(none.source, /no download record/);
});

test('npm: mutators change what the next request sees', async () => {
  npm.setPublishTime('left-pad', '1.1.0', T2).setDownloads('left-pad', 5);
  const answer = await fetchNpmPackument(http, npm.registryUrl, 'left-pad');
  if (answer.found) assert.equal(npmPublishTimes(answer.packument).versions.get('1.1.0'), T2);
  assert.equal((await fetchNpmDownloads(http, npm.downloadsUrl, 'left-pad')).count, { exactly: 5 });
  npm.setPublishTime('left-pad', '1.1.0', T1).setDownloads('left-pad', 1234);
});

// ── PyPI ──────────────────────────────────────────────────────────────────────────────────────

test('pypi: the JSON API is asked by normalised name; a version is as old as its earliest file', async () => {
  const answer = await fetchPypiProject(http, pypi.jsonUrl, 'requests.toolbelt');
  assert.ok(answer.found);
  if (!answer.found) return;
  assert.is(pypi.requests[0]!.path, '/pypi/requests-toolbelt/json');
  assert.is(answer.name, 'Requests_Toolbelt');
  assert.equal(Object.keys(answer.releases), ['0.9', '1.0']);
  const wheel = answer.releases['1.0']!.find((f) => f.packagetype === 'bdist_wheel')!;
  assert.is(wheel.filename, 'requests_toolbelt-1.0-py3-none-any.whl');
  assert.is(wheel.digests.sha256, pypi.files('requests-toolbelt', '1.0')[0]!.sha256);
  const times = pypiPublishTimes(answer.releases);
  assert.equal(times.created, T0);
  assert.equal(
    [...times.versions],
    [
      ['0.9', T0],
      ['1.0', T1],
    ],
  );
});

test('pypi: an unknown project is { found: false }; releases without files have no time', async () => {
  assert.equal(await fetchPypiProject(http, pypi.jsonUrl, 'nope'), { found: false });
  const times = pypiPublishTimes({
    '1.0': [],
    '2.0': [{ filename: 'a.whl', upload_time_iso_8601: '2024-02-02T00:00:00.000000Z', digests: {} }],
  });
  assert.equal([...times.versions.keys()], ['2.0']);
  assert.equal(times.created, new Date('2024-02-02T00:00:00Z'));
});

test('pypi: a JSON API reply without releases is EUPSTREAM_MALFORMED', async () => {
  pypi.malformed({ body: JSON.stringify({ info: { name: 'x' } }) });
  try {
    await fetchPypiProject(http, pypi.jsonUrl, 'requests-toolbelt');
    assert.unreachable('should have failed');
  } catch (error) {
    assert.is((error as UpstreamError).code, 'EUPSTREAM_MALFORMED');
    assert.match((error as UpstreamError).message, /PyPI JSON API .*releases.*upstreams\.pypi\.json/);
  }
});

test('pypi: odd values in the JSON API read as absent; one unusable file entry does not sink the project', async () => {
  const file = (changes: Record<string, unknown>) => ({
    filename: 'x-1.0.tar.gz',
    upload_time_iso_8601: '2024-02-02T00:00:00.000000Z',
    digests: { sha256: 'ab' },
    ...changes,
  });
  pypi.malformed({
    body: JSON.stringify({
      info: { summary: 'no name here' },
      releases: {
        '1.0': [file({ yanked: 'broken build', size: 'big', requires_python: 3, digests: 'none' }), { no: 'filename' }],
        '2.0': [file({ filename: 'x-2.0.tar.gz', upload_time_iso_8601: null })],
        '3.0': 'not a list',
      },
    }),
  });
  const answer = await fetchPypiProject(http, pypi.jsonUrl, 'requests-toolbelt');
  assert.ok(answer.found);
  if (!answer.found) return;
  assert.is(answer.name, 'requests-toolbelt', 'no info.name: the name asked for');
  assert.equal(
    answer.releases['1.0']!.map((f) => [f.filename, f.yanked, f.size, f.requires_python, f.digests]),
    [['x-1.0.tar.gz', 'broken build', undefined, null, {}]],
  );
  assert.equal(answer.releases['3.0'], []);
  const times = pypiPublishTimes(answer.releases);
  assert.equal([...times.versions.keys()], ['1.0'], 'a release without a readable upload time has no time (so it is never allowed on age)');
});

test('pypistats: data.last_month by PEP 503 name; 404 is a count of 0', async () => {
  const known = await fetchPypiDownloads(http, pypi.downloadsUrl, 'Requests_Toolbelt');
  assert.equal(known, { count: { exactly: 98765 }, source: 'pypistats, last month' });
  assert.is(pypi.requests[0]!.path, '/api/packages/requests-toolbelt/recent');
  const none = await fetchPypiDownloads(http, pypi.downloadsUrl, 'unlisted');
  assert.equal(none.count, { exactly: 0 });
  assert.match(none.source, /no download record/);
});

test.run();
