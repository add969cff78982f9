// Shutdown: once `close()` resolves, nothing more is written to the data dir, so it may be moved or
// removed at once. A request whose client has gone is still being worked on (its upstream fetch,
// then the cache write behind it); close waits for that work instead of racing it.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cacache from 'cacache';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { startFirewall } from '../helpers/firewall.js';

const test = suite('server/shutdown');
const UPSTREAM_DELAY_MS = 600;

let pypi: PypiUpstream;
const dirs: string[] = [];

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('slow-pkg', { releases: { '1.0': { uploaded: daysAgo(300) } }, downloads: 50_000 });
  pypi.delay(UPSTREAM_DELAY_MS, { match: pypi.route.simple('slow-pkg') });
});

test.after(async () => {
  await pypi.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Sends a GET and hangs up before any answer can arrive; resolves once the request reached the server. */
function askAndHangUp(url: string): Promise<void> {
  return new Promise((resolve) => {
    const sent = request(url);
    sent.on('error', () => {});
    sent.end(() => setTimeout(() => (sent.destroy(), resolve()), 100));
  });
}

test('close waits for the upstream fetch of a request whose client hung up, and for the cache write behind it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-shutdown-'));
  dirs.push(dataDir);
  const firewall = await startFirewall({ pypi, mounts: 'pypi', dataDir });
  await askAndHangUp(`${firewall.url}/-/pypi/simple/slow-pkg/`);
  const closing = Date.now();
  await firewall.close();
  assert.ok(Date.now() - closing >= UPSTREAM_DELAY_MS - 200, 'close did not wait for the upstream answer still on its way');
  const keys = (await cacache.ls(join(dataDir, 'cache', 'metadata'))) as Record<string, unknown>;
  assert.ok(
    Object.keys(keys).some((key) => key.includes('/simple/slow-pkg/')),
    `the page fetched after the client left was not in the cache when close resolved: ${Object.keys(keys).join(', ')}`,
  );
  const pageRequests = pypi.requests.filter((asked) => asked.path.startsWith('/simple/slow-pkg'));
  assert.is(pageRequests.length, 1, 'the page was asked for once');
});

test.run();
