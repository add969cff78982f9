// The registry process is a fault domain of its own: a Verdaccio route that throws (the search
// case, and a throw injected through a plugin) costs at most a restart of that process, never the
// firewall; and neither its loopback port nor depfence's uplink listener answers anyone else.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunningServer } from '../../src/server/app.js';
import type { NpmMount } from '../../src/server/npm/index.js';
import { RegistryClient, RegistryUnavailable } from '../../src/server/npm/registry/forward.js';
import { RegistryProcess, type RegistryTarget } from '../../src/server/npm/registry/supervisor.js';
import { verdaccioPaths } from '../../src/server/npm/verdaccio-config.js';
import { NpmUpstream, daysAgo } from '../fixtures/index.js';
import { testConfig } from '../helpers/firewall.js';
import { ABBREVIATED, rawRequest, startNpmMount } from '../helpers/npm-firewall.js';

let npm: NpmUpstream;
let running: RunningServer;
let mount: NpmMount;
let dataDir: string;

/** A middleware plugin that throws where Express cannot catch it (a later tick), or where it can. */
const THROWING_PLUGIN = `'use strict';
module.exports = function () {
  return {
    register_middlewares(app) {
      app.use((req, res, next) => {
        if (req.url.startsWith('/-/test/throw-later')) setImmediate(() => { throw new Error('injected fault'); });
        else if (req.url.startsWith('/-/test/throw-now')) throw new Error('injected fault');
        else next();
      });
    },
  };
};
`;

test.before(async () => {
  npm = await NpmUpstream.start();
  npm.addPackage('left-pad', { versions: { '1.0.0': { published: daysAgo(400) } }, downloads: 5_000_000 });
  dataDir = mkdtempSync(join(tmpdir(), 'depfence-isolation-'));
  const plugin = join(verdaccioPaths(dataDir).plugins, 'verdaccio-depfence-test-throw');
  mkdirSync(plugin, { recursive: true });
  writeFileSync(
    join(plugin, 'package.json'),
    JSON.stringify({ name: 'verdaccio-depfence-test-throw', main: 'index.js', type: 'commonjs' }),
  );
  writeFileSync(join(plugin, 'index.js'), THROWING_PLUGIN);
  const config = testConfig({
    dataDir,
    configure: (c) => {
      c.upstreams.npm = { ...c.upstreams.npm, registry: npm.registryUrl, downloads: npm.downloadsUrl, internal: null };
    },
  });
  ({ running, mount } = await startNpmMount(config, { middlewares: { 'depfence-test-throw': {} } }));
});

test.after(async () => {
  running?.server.closeAllConnections();
  await running?.close();
  await npm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Until the registry process is back (it boots in seconds; more on a busy machine); search goes through it. */
async function servesAgain(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const answer = await rawRequest(running.url, '/-/v1/search?text=left-pad');
    if (answer.status === 200) return;
    assert.is(answer.status, 503, answer.text);
    assert.match(String(answer.json!.error), /npm registry process/);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.unreachable('the registry process did not come back');
}

test('a search with two text parameters leaves the firewall serving, even if it reached Verdaccio', async () => {
  // depfence refuses the query before Verdaccio sees it (query validation)...
  const refused = await rawRequest(running.url, '/-/v1/search?text=a&text=b');
  assert.is(refused.status, 400, refused.text);
  // ...and had it slipped through, Verdaccio's search route would throw where Express cannot
  // catch it: that ends the registry process, not the firewall.
  const restarts = mount.registryProcess.restarts;
  const crashed = await mount.env.registry
    .ask({ method: 'GET', path: '/-/v1/search?text=a&text=b', headers: {} })
    .catch((error: unknown) => error as Error);
  assert.ok(crashed instanceof Error || (crashed.statusCode ?? 0) >= 500, 'the registry process broke off');
  assert.is((await rawRequest(running.url, '/-/depfence/health')).status, 200);
  await servesAgain();
  assert.ok(mount.registryProcess.restarts > restarts, 'the registry process was restarted');
});

test('a throw injected through a plugin, caught or not, leaves the firewall serving', async () => {
  const restarts = mount.registryProcess.restarts;
  const caught = await rawRequest(running.url, '/-/test/throw-now');
  assert.is(caught.status, 500);
  const uncaught = await rawRequest(running.url, '/-/test/throw-later');
  assert.ok(uncaught.status === 503 || uncaught.status >= 500, `${uncaught.status} ${uncaught.text}`);
  assert.is((await rawRequest(running.url, '/-/depfence/health')).status, 200, 'the firewall answers while the registry restarts');
  // Public packages (and npm ping) do not go through the registry process at all.
  const packument = await rawRequest(running.url, '/left-pad', { headers: { accept: ABBREVIATED } });
  assert.is(packument.status, 200, packument.text);
  assert.is((await rawRequest(running.url, '/-/ping')).status, 200);
  await servesAgain();
  assert.ok(mount.registryProcess.restarts > restarts, 'the uncaught throw ended the registry process, which was restarted');
  const tarball = await rawRequest(running.url, '/left-pad/-/left-pad-1.0.0.tgz');
  assert.is(tarball.status, 200, tarball.text);
});

test('a request that needs the registry process waits for its first start; after a failed start it gets the reason', async () => {
  const registry = createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  let started: (target: RegistryTarget) => void = () => {};
  const starting = new Promise<RegistryTarget>((resolve) => (started = resolve));
  const waiting = new RegistryClient({ ready: () => starting } as unknown as RegistryProcess, 'secret', null, () => 0);
  const asked = waiting.ask({ method: 'GET', path: '/-/whoami', headers: {} });
  await new Promise((resolve) => setTimeout(resolve, 50));
  started({ up: true, port: (registry.address() as AddressInfo).port });
  const answer = await asked;
  assert.is(answer.statusCode, 200);
  answer.resume();
  waiting.close();
  registry.close();

  const reason = 'the npm registry process could not start: injected';
  const failed = new RegistryClient(
    { ready: () => Promise.resolve({ up: false, reason }) } as unknown as RegistryProcess,
    's',
    null,
    () => 0,
  );
  const error = await failed.ask({ method: 'GET', path: '/-/whoami', headers: {} }).catch((caught: unknown) => caught as Error);
  assert.instance(error, RegistryUnavailable);
  assert.is((error as Error).message, reason);
});

test('a registry process closed before it ever started is not started by a late request', async () => {
  const closed = new RegistryProcess();
  await closed.close();
  const target = await closed.ready();
  assert.is(target.up, false);
  assert.match(target.up ? '' : target.reason, /shutting down/);
  assert.is(closed.pid, undefined, 'nothing was forked');
});

test('the registry process answers depfence only', async () => {
  await servesAgain();
  const target = await mount.registryProcess.ready();
  assert.ok(target.up);
  const direct = await rawRequest(`http://127.0.0.1:${target.port}`, '/left-pad');
  assert.is(direct.status, 403, direct.text);
  const guessed = await rawRequest(`http://127.0.0.1:${target.port}`, '/left-pad', { headers: { 'x-depfence-front': 'guess' } });
  assert.is(guessed.status, 403);
});

test('the uplink listener answers the registry process only, and nothing but the configured registry', async () => {
  const before = npm.requests.length;
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer guess' }, { authorization: 'Basic Z3Vlc3M6Z3Vlc3M=' }]) {
    for (const path of [
      '/public/left-pad',
      'http://depfence-uplink.invalid/public/left-pad',
      'http://depfence-uplink.invalid/public/left-pad/-/left-pad-1.0.0.tgz',
      'http://depfence-uplink.invalid/public/-/v1/search?text=x',
    ]) {
      const answer = await rawRequest(mount.uplinkBase, path, { headers });
      assert.is(answer.status, 403, `${path}: ${answer.text}`);
    }
    const judged = await rawRequest(mount.uplinkBase, '/judge', { method: 'POST', headers, body: '{"name":"left-pad","versions":{}}' });
    assert.is(judged.status, 403);
  }
  assert.is(npm.requests.length, before, 'nothing reached the registry');
  // The firewall's own port has no such route: npm clients cannot reach the uplink through it.
  const viaFirewall = await rawRequest(running.url, '/-/upstream/npm/left-pad');
  assert.ok(viaFirewall.status >= 400, viaFirewall.text);
  assert.is(npm.requests.length, before);
});

test("no code reaches into Verdaccio's build folder (only its documented surfaces)", () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (
        /\.(ts|js|mjs|cjs)$/.test(entry) &&
        readFileSync(path, 'utf8')
          .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')
          .includes('verdaccio/build/')
      )
        offenders.push(path);
    }
  };
  for (const dir of ['src', 'test', 'scripts']) walk(join(process.cwd(), dir));
  assert.equal(
    offenders.filter((path) => !path.endsWith('npm-isolation.test.ts')),
    [],
  );
});

test.run();
