// Issue #10, class 3 for pip: pip sends even loopback index requests through a proxy it is given
// (--proxy, PIP_PROXY, `proxy =` in any pip.conf), so such a proxy could answer in the firewall's
// place. Under the shim every proxy setting is dropped from pip's environment and configuration,
// and --proxy on the command line is refused. The real pip runs with the environment the shim
// builds, and the proxy must see nothing.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inspectPip } from '../../src/shims/pip/inspect.js';

const test = suite('shims/pip-proxy');
let dir: string;
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-pip-proxy-'));
  proxy = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

test.after(() => {
  proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

function runPip(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('pip', args, { env, stdio: 'ignore' });
    child.on('close', resolve);
    child.on('error', () => resolve(null));
  });
}

test('a proxy in PIP_PROXY or any pip.conf never sees a request', async () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.config', 'pip'), { recursive: true });
  writeFileSync(join(home, '.config', 'pip', 'pip.conf'), `[global]\nproxy = ${proxyUrl}\n[download]\nproxy = ${proxyUrl}\n`);
  const userEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    PIP_PROXY: proxyUrl,
    PIP_FIND_LINKS: '',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  };
  delete userEnv.PIP_CONFIG_FILE;
  const plan = await inspectPip({ args: ['download', 'nothing-here'], env: userEnv, cwd: dir, trusted: [], realTool: null });
  assert.ok(plan.settings.some((setting) => setting.setting === 'PIP_PROXY' && setting.action === 'ignore'));
  // Pointed at an address where nothing listens: pip fails, but must not have asked the proxy.
  const env = plan.environment({ url: 'http://127.0.0.1:9', dataDir: join(dir, 'data'), token: null });
  assert.is(env.PIP_PROXY, undefined);
  await runPip(['download', '--no-deps', '--retries', '0', '-d', join(dir, 'dl'), 'nothing-here'], env);
  assert.equal(seen, [], 'the proxy saw nothing');
  // The same pip without the shim's environment does use it (the attack is real).
  await runPip(
    ['download', '--no-deps', '--retries', '0', '-d', join(dir, 'dl'), '--index-url', 'http://127.0.0.1:9/simple/', 'nothing-here'],
    userEnv,
  );
  assert.ok(seen.length > 0, 'pip alone sends loopback requests through the proxy');
});

test('--proxy on the command line is refused, abbreviated too', async () => {
  for (const args of [
    ['install', '--proxy', proxyUrl, 'x'],
    ['install', `--prox=${proxyUrl}`, 'x'],
  ]) {
    const plan = await inspectPip({ args, env: { PIP_CONFIG_FILE: '/dev/null' }, cwd: dir, trusted: [], realTool: null });
    assert.ok(
      plan.settings.some((setting) => setting.action === 'refuse' && setting.value === proxyUrl),
      args.join(' '),
    );
  }
});

test.run();
