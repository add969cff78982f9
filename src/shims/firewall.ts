// Making sure the firewall runs: server.json in the data directory names it, its health endpoint
// confirms it (and that it serves this data directory). When it is down, one shim (holding the
// start lock) starts `depfence serve` in the background, detached, its output in serve.log, and
// every shim waits for it, saying so on stderr.
//
// One firewall per effective configuration: a shim uses a firewall only if it runs the same
// configuration (health's configKey). The first one takes the data directory (and server.port);
// a project whose depfence.yaml says something else gets its own firewall, in
// <dataDir>/firewalls/<configKey>/ on a free port, so one project's allow list never decides for
// another's.
import { DepfenceError, type DepfenceErrorOptions } from '../errors.js';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServerFile } from '../server/server-file.js';
import type { FirewallEndpoint } from './plan.js';
import { tryStartLock } from './start-lock.js';

export interface EnsureOptions {
  dataDir: string;
  /** configKey() of the shim's configuration: a firewall running another one is not used. */
  configKey: string;
  token: string | null;
  /** How long to wait for a firewall being started. */
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  say: (line: string) => void;
}

export class FirewallUnavailable extends DepfenceError<'EFIREWALL'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EFIREWALL', message, options);
  }
}

/** The data directory is taken by a firewall running another configuration. */
class OtherConfiguration extends DepfenceError<'EOTHER_CONFIGURATION'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EOTHER_CONFIGURATION', message, options);
  }
}

const POLL_MS = 100;

/** The firewall for this configuration: in the data directory, or in its own folder under it. */
export async function ensureFirewall(options: EnsureOptions): Promise<FirewallEndpoint> {
  try {
    return await ensureFirewallIn(options.dataDir, null, options);
  } catch (error) {
    if (!(error instanceof OtherConfiguration)) throw error;
    return ensureFirewallIn(configFirewallDir(options.dataDir, options.configKey), 0, options);
  }
}

/** Where the firewall for a configuration other than the data directory's own runs. */
export function configFirewallDir(dataDir: string, key: string): string {
  return join(dataDir, 'firewalls', key);
}

async function ensureFirewallIn(dataDir: string, port: number | null, options: EnsureOptions): Promise<FirewallEndpoint> {
  const running = await ourFirewall(dataDir, options);
  if (running) return running;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let waitingSaid = false;
  while (Date.now() < deadline) {
    const lock = tryStartLock(dataDir, options.timeoutMs + 10_000);
    if (lock) {
      try {
        const again = await ourFirewall(dataDir, options);
        if (again) return again;
        return await startFirewall(dataDir, port, options, deadline, started);
      } finally {
        lock.release();
      }
    }
    if (!waitingSaid) {
      options.say('depfence: waiting for the firewall another shim is starting…');
      waitingSaid = true;
    }
    await sleep(POLL_MS);
    const ready = await ourFirewall(dataDir, options);
    if (ready) return ready;
  }
  throw new FirewallUnavailable(`the firewall for ${dataDir} did not start within ${seconds(options.timeoutMs)}; see ${logPath(dataDir)}`);
}

/** The firewall named by server.json, if it answers its health check for this data directory. */
export async function runningFirewall(
  dataDir: string,
  token: string | null,
): Promise<(FirewallEndpoint & { configKey: string | null }) | null> {
  const file = readServerFile(dataDir);
  if (!file) return null;
  const health = await getJson(`${file.url}/-/depfence/health`, 2_000);
  if (health?.ok !== true || typeof health.dataDir !== 'string' || !sameDir(health.dataDir, dataDir)) return null;
  return { url: file.url, dataDir, token, configKey: typeof health.configKey === 'string' ? health.configKey : null };
}

/**
 * Where a command that fetches nothing is pointed when no firewall runs: port 0, on which nothing
 * can listen, so a fetch fails at once rather than reach anything else.
 */
export function unreachableFirewall(dataDir: string, token: string | null): FirewallEndpoint {
  return { url: 'http://127.0.0.1:0', dataDir, token };
}

/** The firewall running in `dataDir` for this configuration; throws OtherConfiguration when one runs there for another. */
async function ourFirewall(dataDir: string, options: EnsureOptions): Promise<FirewallEndpoint | null> {
  const running = await runningFirewall(dataDir, options.token);
  if (!running) return null;
  if (running.configKey !== options.configKey) throw new OtherConfiguration(`the firewall in ${dataDir} runs another configuration`);
  return { url: running.url, dataDir, token: running.token };
}

/** The firewall for this configuration, if one runs (doctor's view of what the shims would use). */
export async function firewallForConfig(dataDir: string, key: string, token: string | null): Promise<FirewallEndpoint | null> {
  for (const dir of [dataDir, configFirewallDir(dataDir, key)]) {
    const running = await runningFirewall(dir, token);
    if (running?.configKey === key) return { url: running.url, dataDir: dir, token };
  }
  return null;
}

async function startFirewall(
  dataDir: string,
  port: number | null,
  options: EnsureOptions,
  deadline: number,
  started: number,
): Promise<FirewallEndpoint> {
  const log = logPath(dataDir);
  options.say(`depfence: starting the firewall in the background (log: ${log})…`);
  const out = openSync(log, 'a');
  const child = spawn(
    process.execPath,
    [...serveCommand(), 'serve', '--data-dir', dataDir, ...(port === null ? [] : ['--port', String(port)])],
    {
      cwd: options.cwd,
      env: withoutShimVariables(options.env),
      detached: true,
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  // Set by the child's events; the assertion keeps TypeScript from taking it for always null.
  let exited = null as string | null;
  child.on('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.on('error', (error) => (exited = error.message));
  try {
    while (Date.now() < deadline) {
      if (exited !== null) throw new FirewallUnavailable(`depfence serve stopped (${exited}) before it was ready:\n${tail(log)}`);
      const ready = await ourFirewall(dataDir, options).catch(() => null);
      if (ready) {
        options.say(`depfence: firewall ready at ${ready.url} (${seconds(Date.now() - started)})`);
        return ready;
      }
      await sleep(POLL_MS);
    }
    throw new FirewallUnavailable(
      `the firewall did not become ready within ${seconds(options.timeoutMs)} (it keeps starting in the background; see ${log}):\n${tail(log)}`,
    );
  } finally {
    child.unref();
  }
}

/** `depfence serve` from the same build as this shim: the compiled CLI, or the TypeScript one through tsx. */
function serveCommand(): string[] {
  const self = import.meta.url;
  if (self.endsWith('.ts')) return ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../cli/main.ts', self))];
  return [fileURLToPath(new URL('../cli/main.js', self))];
}

/** The firewall is not a pip or npm child: it gets none of the shim's per-call variables. */
function withoutShimVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env))
    if (!name.startsWith('DEPFENCE_SHIM_') && !name.startsWith('DEPFENCE_REAL_')) result[name] = value;
  return result;
}

export function logPath(dataDir: string): string {
  return join(dataDir, 'serve.log');
}

function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => `  ${line}`)
      .join('\n');
  } catch {
    return '  (no log)';
  }
}

function sameDir(a: string, b: string): boolean {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return real(a) === real(b);
}

export function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json', connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
