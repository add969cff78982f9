// The shims start the firewall themselves when none is running: `depfence serve` in the
// background (detached, output in serve.log), under a lock, so two shims started at once start one
// server between them, and both wait for it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { readServerFile } from '../../src/server/server-file.js';
import { notices, runShim, shimWorld, type ShimWorld } from './helpers.js';

const test = suite('shims/start');
let pypi: PypiUpstream;
let world: ShimWorld;

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('app-core', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  world = shimWorld({ pypi });
});

test.after(async () => {
  const server = readServerFile(world.dataDir);
  if (server) {
    try {
      process.kill(server.pid, 'SIGTERM'); // the firewall the shim started for this test
    } catch {
      // already gone
    }
  }
  await pypi.close();
  world.remove();
});

test('two shims started at once start one firewall between them, and both install through it', async () => {
  const install = (name: string) =>
    runShim('pip', ['install', '--target', join(world.dir, name), '--no-cache-dir', '--no-compile', 'app-core'], {
      env: world.env,
      cwd: world.dir,
      timeoutMs: 180_000,
    });
  const [first, second] = await Promise.all([install('a'), install('b')]);
  assert.is(first.code, 0, first.output);
  assert.is(second.code, 0, second.output);
  const said = [...notices(first), ...notices(second)];
  assert.is(said.filter((line) => line.startsWith('depfence: starting the firewall in the background (log: ')).length, 1, said.join('\n'));
  assert.is(said.filter((line) => line === 'depfence: waiting for the firewall another shim is starting…').length, 1, said.join('\n'));
  assert.ok(
    said.some((line) => /^depfence: firewall ready at http:\/\/127\.0\.0\.1:\d+ \(\d+\.\d s\)$/.test(line)),
    said.join('\n'),
  );
  const log = readFileSync(join(world.dataDir, 'serve.log'), 'utf8');
  assert.is(log.match(/depfence listening on/g)?.length, 1, log);
  const server = readServerFile(world.dataDir);
  assert.ok(server, 'server.json written by the started firewall');
  assert.ok(existsSync(join(world.dir, 'a', 'app_core-1.0.0.dist-info')) && existsSync(join(world.dir, 'b', 'app_core-1.0.0.dist-info')));
});

test('a later shim finds the running firewall and starts nothing', async () => {
  const before = readServerFile(world.dataDir);
  const run = await runShim('pip', ['download', '--dest', join(world.dir, 'downloads'), '--no-cache-dir', '--no-deps', 'app-core'], {
    env: world.env,
    cwd: world.dir,
  });
  assert.is(run.code, 0, run.output);
  assert.not.ok(
    notices(run).some((line) => line.includes('starting the firewall') || line.includes('waiting for the firewall')),
    run.stderr,
  );
  assert.equal(readServerFile(world.dataDir), before);
});

test("a port taken by another process (another user's firewall) gives way to a free one, recorded in server.json", async () => {
  // Issue #10, class 8: this used to end every install with a Node stack trace.
  const holder = createServer(() => {});
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const held = (holder.address() as AddressInfo).port;
  const busy = shimWorld({ pypi, extra: { server: { port: held } } });
  try {
    const run = await runShim('pip', ['download', '--dest', join(busy.dir, 'downloads'), '--no-cache-dir', '--no-deps', 'app-core'], {
      env: busy.env,
      cwd: busy.dir,
      timeoutMs: 180_000,
    });
    assert.is(run.code, 0, run.output);
    const server = readServerFile(busy.dataDir);
    assert.ok(server, 'server.json written');
    assert.is.not(new URL(server.url).port, String(held));
    const log = readFileSync(join(busy.dataDir, 'serve.log'), 'utf8');
    assert.match(log, `port ${held} is in use by another process, so this firewall listens on ${server.url}`);
    assert.not.match(`${run.output}\n${log}`, /^\s+at /m, 'no stack trace');
    process.kill(server.pid, 'SIGTERM');
  } finally {
    holder.close();
    busy.remove();
  }
});

test.run();
