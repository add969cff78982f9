// Running the shims as a user would: the launchers in shims/ first on PATH, the TypeScript entry
// (DEPFENCE_SHIM_FROM_SOURCE, so the tests exercise the source, not a stale build), a temporary
// data dir and config file, and the machine's own pip settings (PIP_FIND_LINKS, pip.conf) left in
// place, because the shims must neutralise exactly those.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/cli.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { loadConfig } from '../../src/config/index.js';
import { writeServerFile } from '../../src/server/server-file.js';
import type { NpmUpstream, PypiUpstream } from '../fixtures/index.js';

export const SHIMS_DIR = join(REPO_ROOT, 'shims');

export interface ShimRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  output: string;
}

export interface ShimWorld {
  dir: string;
  dataDir: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** A config file pointing the upstreams at the fixtures, listening on a free port. */
export function writeTestConfig(file: string, options: { pypi?: PypiUpstream; npm?: NpmUpstream; extra?: Record<string, unknown> }): void {
  const config: Record<string, unknown> = {
    upstreams: {
      ...(options.pypi && { pypi: { simple: options.pypi.simpleUrl, json: options.pypi.jsonUrl, downloads: options.pypi.downloadsUrl } }),
      ...(options.npm && { npm: { registry: options.npm.registryUrl, downloads: options.npm.downloadsUrl } }),
    },
    server: { port: 0 },
    network: { timeout: '3s', retries: 1 },
    shims: { startTimeout: '90s' },
    ...options.extra,
  };
  writeFileSync(file, stringify(config));
}

/**
 * A temp dir with a data dir and a config file, and an environment that puts the shims first on
 * PATH. The machine's PIP_* variables and HOME stay (that is the point); npm_* variables from an
 * `npm test` run and DEPFENCE_* ones do not.
 */
export function shimWorld(
  options: { pypi?: PypiUpstream; npm?: NpmUpstream; extra?: Record<string, unknown>; pathBefore?: string[]; env?: NodeJS.ProcessEnv } = {},
): ShimWorld {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-shims-'));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'depfence.yaml');
  writeTestConfig(configFile, options);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DEPFENCE_') && !/^npm_/i.test(key)) env[key] = value;
  Object.assign(env, {
    PATH: [SHIMS_DIR, ...(options.pathBefore ?? []), process.env.PATH ?? ''].join(delimiter),
    DEPFENCE_SHIM_FROM_SOURCE: '1',
    DEPFENCE_FEEDS__OSV__AUTO_UPDATE: 'false',
    DEPFENCE_DATA_DIR: dataDir,
    DEPFENCE_CONFIG: configFile,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    ...options.env,
  });
  return { dir, dataDir, configFile, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An in-process firewall for this world's data dir, announced in server.json so the shims use it.
 * It runs the configuration the shims load there (the world's config file and environment), so
 * its configKey is theirs: a firewall running another configuration is not used by the shims.
 */
export async function startWorldFirewall(world: ShimWorld): Promise<TestFirewall> {
  const { config: loaded } = loadConfig({ env: world.env, cwd: world.dir });
  const firewall = await startFirewall({ dataDir: world.dataDir, configure: (config) => void Object.assign(config, loaded) });
  writeServerFile(world.dataDir, { url: firewall.url, pid: process.pid });
  return firewall;
}

/** Runs `tool` by name, found on the world's PATH (so the shim runs), like a user typing it. */
export function runShim(
  tool: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number },
): Promise<ShimRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}

/** The depfence lines a run printed on stderr. */
export function notices(run: ShimRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('depfence:'));
}
