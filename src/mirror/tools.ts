// The real pip and npm, run for a mirror against the firewall only: every setting that could send
// them elsewhere (config files, PIP_* and npm_* variables, extra indexes, find-links, user and
// global npmrc files) is switched off, caches are private to the run, and no scripts run.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolRun {
  code: number | null;
  output: string;
}

export function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30 * 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output: `${output}\n${command} could not be started: ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The environment without PIP_* / npm_* settings, and pip's config files switched off. */
function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (!/^(PIP_|UV_|npm_)/i.test(key)) clean[key] = value;
  return clean;
}

export interface PipDownload {
  python: string;
  indexUrl: string;
  requirementsFile: string;
  dir: string;
  pythonVersion: string | null;
  platforms: string[];
  env: NodeJS.ProcessEnv;
}

/** `python -m pip download --only-binary=:all: --index-url FIREWALL -d DIR -r FILE` */
export function pipDownload(options: PipDownload): Promise<ToolRun> {
  const args = [
    '-m',
    'pip',
    'download',
    '--only-binary=:all:',
    '--index-url',
    options.indexUrl,
    '-d',
    options.dir,
    '--no-cache-dir',
    '--disable-pip-version-check',
    '--no-input',
    '--progress-bar',
    'off',
    ...(options.pythonVersion ? ['--python-version', options.pythonVersion] : []),
    ...options.platforms.flatMap((platform) => ['--platform', platform]),
    '-r',
    options.requirementsFile,
  ];
  const env = {
    ...cleanEnv(options.env),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_FIND_LINKS: '',
    PIP_EXTRA_INDEX_URL: '',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return run(options.python, args, { env });
}

/** `npm install --package-lock-only --registry FIREWALL` in `projectDir`, with no npmrc but the one given here. */
export function npmLockOnly(options: {
  npm: string;
  registry: string;
  projectDir: string;
  workDir: string;
  env: NodeJS.ProcessEnv;
}): Promise<ToolRun> {
  const userRc = join(options.workDir, 'user.npmrc');
  const globalRc = join(options.workDir, 'global.npmrc');
  writeFileSync(userRc, '');
  writeFileSync(globalRc, '');
  const env = {
    ...cleanEnv(options.env),
    npm_config_userconfig: userRc,
    npm_config_globalconfig: globalRc,
    npm_config_registry: options.registry,
    npm_config_cache: join(options.workDir, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_ignore_scripts: 'true',
    npm_config_progress: 'false',
  };
  return run(
    options.npm,
    ['install', '--package-lock-only', '--no-audit', '--no-fund', '--ignore-scripts', '--registry', options.registry],
    { env, cwd: options.projectDir },
  );
}
