// Runs the machine's real pip against an index, isolated from the machine's own pip settings
// (config files, extra indexes, find-links, caches), installing into a temporary --target.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PipResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together. */
  output: string;
  /** The --target directory. */
  target: string;
}

export interface PipOptions {
  indexUrl: string;
  /** Extra arguments after `install` (e.g. `-vv`). */
  args?: string[];
  target?: string;
  timeoutMs?: number;
}

export const PYTHON = process.env.DEPFENCE_TEST_PYTHON ?? 'python3';

/** The environment with every PIP_* setting removed and pip's config files switched off. */
export function isolatedPipEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PIP_') && !key.startsWith('UV_')) env[key] = value;
  return {
    ...env,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_FIND_LINKS: '',
    PIP_EXTRA_INDEX_URL: '',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** `python3 -m pip install --target T --index-url URL … requirements` */
export function pipInstall(requirements: string[], options: PipOptions): Promise<PipResult> {
  const target = options.target ?? mkdtempSync(join(tmpdir(), 'depfence-pip-'));
  const args = [
    '-m',
    'pip',
    'install',
    '--target',
    target,
    '--index-url',
    options.indexUrl,
    '--no-cache-dir',
    '--disable-pip-version-check',
    '--no-compile',
    '--no-input',
    '--timeout',
    '10',
    '--retries',
    '0',
    ...(options.args ?? []),
    ...requirements,
  ];
  return run(PYTHON, args, isolatedPipEnv(), options.timeoutMs ?? 60_000).then((result) => ({ ...result, target }));
}

export function hasPip(): boolean {
  return spawnSync(PYTHON, ['-m', 'pip', '--version'], { env: isolatedPipEnv(), stdio: 'ignore' }).status === 0;
}

/** The `uv` on PATH, or null. */
export function findUv(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v uv'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : null;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Omit<PipResult, 'target'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), (output += chunk.toString())));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output });
    });
  });
}
