// `depfence serve` as a user runs it: a child process on a free port that announces itself on
// stdout and in <data-dir>/server.json, answers health checks, and on SIGTERM finishes the
// request in flight, removes server.json and exits 0.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PypiUpstream, daysAgo } from '../fixtures/index.js';
import { runCli, spawnServe } from '../helpers/cli.js';
import { defaultConfig } from '../helpers/policy.js';

const test = suite('server/serve-cli');
let pypi: PypiUpstream;
let scratch: string;

test.before(async () => {
  pypi = await PypiUpstream.start();
  pypi.addProject('slow-pkg', { releases: { '1.0.0': { uploaded: daysAgo(400) } }, downloads: 50_000 });
  scratch = mkdtempSync(join(tmpdir(), 'depfence-serve-'));
});

test.after(async () => {
  await pypi.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('the defaults: loopback, port 4874', () => {
  const config = defaultConfig();
  assert.is(config.server.host, '127.0.0.1');
  assert.is(config.server.port, 4874);
});

test('serve --port 0: the line, server.json, health; SIGTERM lets the in-flight request finish, exits 0, removes server.json', async () => {
  const dataDir = join(scratch, 'data');
  const configFile = join(scratch, 'depfence.yaml');
  writeFileSync(
    configFile,
    ['upstreams:', '  pypi:', `    simple: ${pypi.simpleUrl}`, `    json: ${pypi.jsonUrl}`, `    downloads: ${pypi.downloadsUrl}`, ''].join(
      '\n',
    ),
  );
  const { child, url, output, exited } = await spawnServe(['--port', '0', '--data-dir', dataDir, '--config', configFile], {
    timeoutMs: 20_000,
  });
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.not.match(url, /:0$/);
    const serverFile = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    assert.equal(serverFile, { url, pid: child.pid });
    const health = (await (await fetch(`${url}/-/depfence/health`)).json()) as { ok: boolean };
    assert.is(health.ok, true);

    pypi.delay(800, { match: pypi.route.simple('slow-pkg') });
    // A kept-alive connection (fetch's default): the stopping server must close it once the
    // in-flight answer is sent, not wait for the keep-alive timeout.
    const slow = fetch(`${url}/-/pypi/simple/slow-pkg/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
    const deadline = Date.now() + 10_000;
    while (pypi.inFlight === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(pypi.inFlight > 0, 'the request reached the upstream');
    const exit = exited;
    child.kill('SIGTERM');
    const response = await slow;
    assert.is(response.status, 200, 'the in-flight request was finished');
    assert.is(((await response.json()) as { name: string }).name, 'slow-pkg');
    const answeredAt = Date.now();
    assert.is(await exit, 0, output());
    assert.ok(Date.now() - answeredAt < 2_000, `exited ${Date.now() - answeredAt} ms after its last answer`);
    assert.not.ok(existsSync(join(dataDir, 'server.json')), 'server.json removed on a clean stop');
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve --port on a port another process holds: exit 2 with what to do, no stack trace', async () => {
  const holder = createServer(() => {});
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const held = (holder.address() as AddressInfo).port;
  try {
    const run = await runCli(['serve', '--port', String(held), '--data-dir', join(scratch, 'held')]);
    assert.is(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, `depfence: 127.0.0.1:${held} is already in use by another process; stop it, or choose another port`);
    assert.not.match(run.stderr, /^\s+at /m);
    assert.not.ok(existsSync(join(scratch, 'held', 'server.json')));
  } finally {
    holder.close();
  }
});

test('serve with a configuration it cannot use: exit 2 at once, with no registry process left behind', async () => {
  const configFile = join(scratch, 'bad.yaml');
  writeFileSync(configFile, 'policy:\n  noSuchKey: 1\n');
  // A registry process left running would keep the command from ever exiting (its IPC channel).
  const run = await Promise.race([
    runCli(['serve', '--port', '0', '--config', configFile, '--data-dir', join(scratch, 'bad')]),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('serve did not exit within 60 s of a bad configuration')), 60_000).unref(),
    ),
  ]);
  assert.is(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, 'policy.noSuchKey');
  assert.not.ok(existsSync(join(scratch, 'bad', 'server.json')));
});

test.run();
