// The feed over HTTP: `depfence update` downloads both exports through the HTTP client, asks
// again with If-None-Match (an unchanged feed is not read twice), and leaves the index in force
// when the feed fails; a running firewall with autoUpdate updates itself, survives a feed outage
// (logged, tried again at the next round) and loads the new index when the feed is back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OsvFeedServer, osvRecord, sharedExport, writeOsvExport } from '../fixtures/osv-export.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { indexPath, loadIndex } from '../../src/sources/osv/index-file.js';

const test = suite('feeds/feed-url');
let scratch: string;
let feed: OsvFeedServer;
let dataDir: string;
let env: NodeJS.ProcessEnv;

interface UpdateJson {
  ok: boolean;
  rebuilt?: boolean;
  error?: string;
  index?: { builtAt: string; checkedAt: string; feeds: Record<string, { source: string; etag: string | null }> };
}

async function update(): Promise<{ code: number | null; json: UpdateJson; stderr: string }> {
  const result = await runCliInProcess(['update', '--data-dir', dataDir, '--json'], { env });
  return { code: result.code, json: JSON.parse(result.stdout) as UpdateJson, stderr: result.stderr };
}

test.before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'depfence-feed-url-'));
  await writeOsvExport(join(scratch, 'feed'), sharedExport());
  feed = await OsvFeedServer.start(join(scratch, 'feed'));
  dataDir = join(scratch, 'data');
  env = isolatedEnv({ DEPFENCE_FEEDS__OSV__URL: feed.url, DEPFENCE_NETWORK__RETRIES: '0' });
});

test.after(async () => {
  await feed.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('update downloads both exports from feeds.osv.url and records the source and ETag', async () => {
  const { code, json, stderr } = await update();
  assert.is(code, 0, stderr);
  assert.is(json.rebuilt, true);
  assert.is(json.index!.feeds.npm!.source, `${feed.url}npm/all.zip`);
  assert.is(json.index!.feeds.pypi!.source, `${feed.url}PyPI/all.zip`);
  assert.match(json.index!.feeds.npm!.etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.ok(loadIndex(indexPath(dataDir)).forPackage('npm', 'leftfix'));
});

test('an unchanged feed answers 304: nothing is read again, the index is marked as checked', async () => {
  const before = loadIndex(indexPath(dataDir)).meta;
  const asked = feed.requests.length;
  const { code, json } = await update();
  assert.is(code, 0);
  assert.is(json.rebuilt, false);
  assert.is(json.index!.builtAt, before.builtAt);
  assert.ok(Date.parse(json.index!.checkedAt) > Date.parse(before.checkedAt));
  const conditional = feed.requests.slice(asked);
  assert.is(conditional.length, 2);
  assert.ok(
    conditional.every(
      (request) => request.headers['if-none-match'] === before.feeds[request.path.startsWith('/npm') ? 'npm' : 'pypi'].etag,
    ),
  );
});

test('one export changed: both are read again and the index rebuilt', async () => {
  const changed = sharedExport();
  changed.npm.push(
    osvRecord({
      id: 'MAL-2026-555',
      affected: [{ name: 'brand-new-malware', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }],
    }),
  );
  await writeOsvExport(join(scratch, 'feed'), { npm: changed.npm, pypi: sharedExport().pypi });
  const pypiBefore = readFileSync(join(scratch, 'feed', 'PyPI', 'all.zip'));
  const { code, json } = await update();
  assert.is(code, 0);
  assert.is(json.rebuilt, true);
  assert.ok(readFileSync(join(scratch, 'feed', 'PyPI', 'all.zip')).length === pypiBefore.length);
  const index = loadIndex(indexPath(dataDir));
  assert.ok(index.forPackage('npm', 'brand-new-malware'));
  assert.ok(index.forPackage('pypi', 'leftfix'), 'the unchanged PyPI export is in the new index too');
});

test('a feed that fails: exit 3, the reason, and the index in force stays', async () => {
  const before = readFileSync(indexPath(dataDir));
  const fault = feed.failWith(503);
  try {
    const { code, json, stderr } = await update();
    assert.is(code, 3);
    assert.is(json.ok, false);
    assert.match(stderr, /update failed: OSV feed at .*all\.zip answered HTTP 503.*; the threat-data index in force was left as it was/);
  } finally {
    fault.remove();
  }
  assert.ok(readFileSync(indexPath(dataDir)).equals(before));
});

/** A PyPI firewall on `dataDir` that updates its threat data from the fixture feed itself. */
function autoUpdatingFirewall(dataDir: string): Promise<TestFirewall> {
  return startFirewall({
    dataDir,
    mounts: 'pypi',
    configure: (config) => {
      config.feeds.osv = { ...config.feeds.osv, url: feed.url, autoUpdate: true };
      config.network.retries = 0;
    },
  });
}

test('a running firewall with autoUpdate: an outage is logged and survived; the next round loads the new index', async () => {
  const ownData = mkdtempSync(join(tmpdir(), 'depfence-feed-fw-'));
  const fault = feed.failWith(503);
  let firewall: TestFirewall | null = null;
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  };
  try {
    firewall = await autoUpdatingFirewall(ownData);
    const refresh = firewall.running.context.threatRefresh;
    await refresh.tick();
    assert.is(refresh.lastUpdate?.ok, false);
    assert.ok(
      logged.some((line) => /threat data: the update failed \(.*HTTP 503.*\); the index in force stays, next try in 1h/.test(line)),
      logged.join(''),
    );
    const down = (await (await fetch(`${firewall.url}/-/depfence/health`)).json()) as {
      ok: boolean;
      threatData: { state: string; lastUpdate: { ok: boolean } };
    };
    assert.is(down.ok, true);
    assert.is(down.threatData.state, 'missing');
    assert.is(down.threatData.lastUpdate.ok, false);

    fault.remove();
    const generation = firewall.running.context.decider.threatData.generation;
    await refresh.tick();
    assert.is(refresh.lastUpdate?.ok, true);
    assert.ok(firewall.running.context.decider.threatData.generation > generation);
    const up = (await (await fetch(`${firewall.url}/-/depfence/health`)).json()) as { threatData: { state: string; packages: number } };
    assert.is(up.threatData.state, 'current');
    assert.ok(up.threatData.packages > 0);
  } finally {
    process.stderr.write = write;
    fault.remove();
    await firewall?.close();
    rmSync(ownData, { recursive: true, force: true });
  }
});

test('shutdown during an update: stop ends the update and resolves once its round has ended (close waits for it, so nothing writes to the data dir afterwards)', async () => {
  const ownData = mkdtempSync(join(tmpdir(), 'depfence-feed-fw-'));
  const slow = feed.delay(5_000);
  let firewall: TestFirewall | null = null;
  try {
    firewall = await autoUpdatingFirewall(ownData);
    const refresh = firewall.running.context.threatRefresh;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the start-up round is waiting for the feed
    assert.is(refresh.lastUpdate, null, 'the round is still running');
    const stopping = Date.now();
    await refresh.stop();
    assert.ok(Date.now() - stopping < 4_000, 'the update was ended, not waited out');
    assert.is(refresh.lastUpdate?.ok, false, 'the round had ended when stop resolved');
  } finally {
    slow.remove();
    await firewall?.close();
    rmSync(ownData, { recursive: true, force: true });
  }
});

test.run();
