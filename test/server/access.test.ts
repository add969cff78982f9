// Promise: the server binds to loopback by default; any other address needs an access token that
// every request carries; with a token, admin endpoints beyond health need it even on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/index.js';
import { startServer } from '../../src/server/app.js';
import { isLoopbackHost } from '../../src/server/access.js';
import { defaultConfig } from '../helpers/policy.js';

const TOKEN = 'a-long-random-test-token-0123456789';

function configWith(host: string, token: string | null) {
  const config = defaultConfig();
  config.server = { ...config.server, host, port: 0, token, dataDir: mkdtempSync(join(tmpdir(), 'depfence-access-')) };
  return config;
}

const basic = (password: string) => `Basic ${Buffer.from(`depfence:${password}`).toString('base64')}`;

test('loopback is the default and recognised in its forms', () => {
  assert.is(defaultConfig().server.host, '127.0.0.1');
  for (const host of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1']) assert.not.ok(isLoopbackHost(host), host);
});

test('binding beyond loopback without a token refuses to start', async () => {
  try {
    await startServer({ config: configWith('0.0.0.0', null), mounts: () => [] });
    assert.unreachable('started without a token');
  } catch (error) {
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, /refusing to listen on 0\.0\.0\.0 without an access token/);
  }
});

test('beyond loopback every request needs the token (Bearer or Basic); health does not', async () => {
  const running = await startServer({
    config: configWith('0.0.0.0', TOKEN),
    mounts: () => [{ prefix: '/', handler: (_req, res) => void res.end('ok') }],
  });
  const port = new URL(running.url).port;
  const at = `http://127.0.0.1:${port}`;
  try {
    const anonymous = await fetch(`${at}/lodash`);
    assert.is(anonymous.status, 401);
    assert.match(((await anonymous.json()) as { error: string }).error, /access token/);
    assert.is((await fetch(`${at}/lodash`, { headers: { authorization: 'Bearer wrong-token-wrong-token-00' } })).status, 401);
    assert.is((await fetch(`${at}/lodash`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.is((await fetch(`${at}/-/pypi/simple/x/`, { headers: { authorization: basic(TOKEN) } })).status, 200);
    assert.is((await fetch(`${at}/-/pypi/simple/x/`, { headers: { authorization: basic('nope') } })).status, 401);
    assert.is((await fetch(`${at}/-/depfence/health`)).status, 200);
  } finally {
    await running.close();
  }
});

test('on loopback with a token: packages are open, admin endpoints beyond health are not', async () => {
  const running = await startServer({
    config: configWith('127.0.0.1', TOKEN),
    mounts: () => [{ prefix: '/', handler: (_req, res) => void res.end('ok') }],
  });
  try {
    assert.is((await fetch(`${running.url}/lodash`)).status, 200);
    assert.is((await fetch(`${running.url}/-/depfence/health`)).status, 200);
    assert.is((await fetch(`${running.url}/-/depfence/anything`)).status, 401);
    assert.is((await fetch(`${running.url}/-/depfence/anything`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
  } finally {
    await running.close();
  }
});

test.run();
