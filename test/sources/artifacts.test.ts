// The artifact store's upstream concurrency limit counts requests in flight upstream, and nothing
// else: a slot is held for each attempt of a fetch, not while a retry waits, and not while a
// download is vetted and written to the cache. (Under load, holding it across that local work left
// cold file requests queued for seconds behind downloads that had long arrived.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createArtifactStore, type ArtifactRequest } from '../../src/sources/artifacts.js';
import { daysAgo, PypiUpstream } from '../fixtures/index.js';

const test = suite('sources/artifacts');
let pypi: PypiUpstream;
const dirs: string[] = [];
const LABEL = { name: 'PyPI files', setting: 'upstreams.pypi.files' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function store(overrides: { retries?: number; retryDelayMs?: number } = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'depfence-artifacts-'));
  dirs.push(cacheDir);
  return createArtifactStore({ cacheDir, timeoutMs: 5_000, retries: 0, concurrency: 1, retryDelayMs: 5, ...overrides });
}

function request(project: string, extra: Partial<ArtifactRequest> = {}): ArtifactRequest {
  const file = pypi.files(project, '1.0.0')[0]!;
  return {
    url: pypi.fileUrl(file.filename),
    sha256: file.sha256,
    size: file.bytes.length,
    upstream: LABEL,
    allowUrl: (url) => url.origin === new URL(pypi.url).origin,
    ...extra,
  };
}

/** Resolves to true if `promise` settles within `ms`, false otherwise. */
const within = (promise: Promise<unknown>, ms: number) => Promise.race([promise.then(() => true), sleep(ms).then(() => false)]);

test.before(async () => {
  pypi = await PypiUpstream.start();
  for (const name of ['first-lib', 'second-lib']) pypi.addProject(name, { releases: { '1.0.0': { uploaded: daysAgo(100) } } });
});
test.after(async () => {
  await pypi.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
test.before.each(() => {
  pypi.clearFaults();
  pypi.resetLog();
});

test('concurrency 1: while one download is vetted and cached, the next is fetched (the slot covers the fetch only)', async () => {
  const artifacts = store();
  let release!: () => void;
  const vetting = new Promise<void>((resolve) => (release = resolve));
  let vetStarted = false;
  const first = artifacts.ensure(
    request('first-lib', {
      vet: async () => {
        vetStarted = true;
        await vetting;
      },
    }),
  );
  while (!vetStarted) await sleep(5);
  const second = artifacts.ensure(request('second-lib'));
  assert.ok(await within(second, 3_000), 'the second file was fetched and stored while the first was still being vetted');
  assert.is((await second).fromCache, false);
  release();
  const stored = await first;
  assert.is(readFileSync(stored.path).length, pypi.files('first-lib', '1.0.0')[0]!.bytes.length);
  assert.is(pypi.requestsTo(pypi.route.file()).length, 2);
});

test('concurrency 1: a retry waits without its slot; another file is fetched in the meantime', async () => {
  const artifacts = store({ retries: 1, retryDelayMs: 400 });
  const firstFile = pypi.files('first-lib', '1.0.0')[0]!.filename;
  pypi.failWith(503, { match: pypi.route.file(firstFile), times: 1 });
  const first = artifacts.ensure(request('first-lib'));
  while (pypi.requestsTo(pypi.route.file()).length === 0) await sleep(5);
  const second = artifacts.ensure(request('second-lib'));
  await Promise.all([first, second]);
  const order = pypi.requestsTo(pypi.route.file()).map((r) => r.path.split('/').pop()!.split('-')[0]);
  assert.equal(order, ['first_lib', 'second_lib', 'first_lib'], 'the second file went out while the first waited to retry');
});

test.run();
