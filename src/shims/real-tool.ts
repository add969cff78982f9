// Finding the real tool behind a shim: DEPFENCE_REAL_<TOOL>, or the next executable of that name
// on PATH that is not a depfence launcher (so shims installed in two places never run each other).
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { realToolVariable, SHIM_MARKER, type ToolName } from './tools.js';

export interface RealTool {
  /** The executable to run. */
  command: string;
  /** Arguments before the user's (`-m pip` when pip runs as `python -m pip`). */
  prefix: string[];
  /** Where it came from, for messages. */
  via: string;
}

export function findRealTool(tool: ToolName, env: NodeJS.ProcessEnv, cwd: string): RealTool | null {
  const python = env.DEPFENCE_SHIM_PYTHON;
  if (python && (tool === 'pip' || tool === 'pip3'))
    return { command: python, prefix: ['-m', 'pip'], via: `${python} -m pip (DEPFENCE_SHIM_PYTHON)` };
  const variable = realToolVariable(tool);
  const override = env[variable];
  if (override) {
    const command = override.includes('/') ? resolve(cwd, override) : searchPath(override, env.PATH, cwd);
    return command ? { command, prefix: [], via: variable } : null;
  }
  const command = searchPath(tool, env.PATH, cwd);
  return command ? { command, prefix: [], via: 'PATH' } : null;
}

/** The first executable `name` on PATH that is not a depfence shim. */
export function searchPath(name: string, path: string | undefined, cwd: string): string | null {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(isAbsolute(dir) ? dir : resolve(cwd, dir), name);
    if (isExecutableFile(candidate) && !isShim(candidate)) return candidate;
  }
  return null;
}

/** Every executable `name` on PATH, shims included, in order. */
export function allOnPath(name: string, path: string | undefined, cwd: string): string[] {
  return (path ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(isAbsolute(dir) ? dir : resolve(cwd, dir), name))
    .filter(isExecutableFile);
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A depfence launcher says so in its first bytes. */
export function isShim(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(512);
    const read = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read).includes(SHIM_MARKER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
