// Runs the real npm client against a firewall, isolated from the machine's npm configuration: no
// user or global npmrc, a cache of its own, no audit/fund/scripts, and no npm_* variables
// inherited from an `npm test` that started the suite.
//
//   const project = makeProject({ dependencies: { 'left-pad': '^1.0.0' } });
//   const run = await runNpm(['install'], { cwd: project.dir, registry: firewall.url });
//   assert.is(run.code, 0, run.output);
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NpmRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

export interface NpmRunOptions {
  cwd: string;
  /** The firewall's URL (a trailing slash is added). */
  registry: string;
  /** npm's cache folder; default: `<cwd>/.npm-cache`. */
  cache?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function runNpm(args: string[], options: NpmRunOptions): Promise<NpmRun> {
  const home = join(options.cwd, '.npm-home');
  mkdirSync(home, { recursive: true });
  const userRc = join(home, 'user.npmrc');
  const globalRc = join(home, 'global.npmrc');
  writeFileSync(userRc, '');
  writeFileSync(globalRc, '');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    npm_config_userconfig: userRc,
    npm_config_globalconfig: globalRc,
    npm_config_registry: options.registry.endsWith('/') ? options.registry : `${options.registry}/`,
    npm_config_cache: options.cache ?? join(options.cwd, '.npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_ignore_scripts: 'true',
    npm_config_fetch_retries: '0',
    npm_config_loglevel: 'warn',
    npm_config_progress: 'false',
    ...options.env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--ignore-scripts'], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
}

export interface TestProject {
  dir: string;
  lockfile(): Record<string, unknown> & { packages: Record<string, { version?: string; resolved?: string; integrity?: string }> };
  installed(name: string): Record<string, unknown> | null;
  remove(): void;
}

/** A temporary npm project with this package.json (name and version filled in). */
export function makeProject(manifest: Record<string, unknown>): TestProject {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-npm-project-'));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'fixture-project', version: '1.0.0', private: true, ...manifest }, null, 2)}\n`,
  );
  return {
    dir,
    lockfile: () => JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')),
    installed(name) {
      try {
        return JSON.parse(readFileSync(join(dir, 'node_modules', ...name.split('/'), 'package.json'), 'utf8')) as Record<string, unknown>;
      } catch {
        return null;
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
