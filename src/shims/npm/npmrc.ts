// npm's configuration files (.npmrc): the project's (and its workspace root's), the user's, the
// global one and npm's built-in one, read as npm reads them (ini lines, `${VAR}` expansion), for
// the settings that say where packages come from.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface NpmrcEntry {
  key: string;
  value: string;
  file: string;
  line: number;
}

export type NpmrcLevel = 'project' | 'user' | 'global' | 'builtin';

export interface NpmrcFile {
  level: NpmrcLevel;
  path: string;
  entries: NpmrcEntry[];
}

export function parseNpmrc(text: string, file: string, env: NodeJS.ProcessEnv): NpmrcEntry[] {
  const entries: NpmrcEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('[')) return;
    const equals = line.indexOf('=');
    if (equals === -1) return;
    const key = expand(line.slice(0, equals).trim(), env);
    let value = line.slice(equals + 1).trim();
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    entries.push({ key, value: expand(value, env), file, line: index + 1 });
  });
  return entries;
}

/** npm's `${VAR}` (and `${VAR?}`) expansion in .npmrc. */
function expand(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole, slashes: string, name: string, optional?: string) => {
    if (slashes.length % 2 === 1) return whole;
    const value = env[name];
    return `${slashes}${value ?? (optional ? '' : whole)}`;
  });
}

function readRc(level: NpmrcLevel, path: string, env: NodeJS.ProcessEnv): NpmrcFile | null {
  try {
    return { level, path, entries: parseNpmrc(readFileSync(path, 'utf8'), path, env) };
  } catch {
    return null;
  }
}

/** An npm config variable in any spelling: `npm_config_registry`, `NPM_CONFIG_REGISTRY`. */
export function npmEnvKey(variable: string): string | null {
  if (!/^npm_config_/i.test(variable)) return null;
  const key = variable.slice('npm_config_'.length);
  return key.startsWith('//') ? key : key.replace(/(?!^)_/g, '-').toLowerCase();
}

function envConfig(env: NodeJS.ProcessEnv, key: string): string | undefined {
  for (const [variable, value] of Object.entries(env)) if (npmEnvKey(variable) === key && value) return value;
  return undefined;
}

/** npm's local prefix: the nearest directory holding package.json or node_modules. */
export function localPrefix(cwd: string, prefixOption?: string): string {
  if (prefixOption) return resolve(cwd, prefixOption);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** The workspace root above the local prefix, if the project is a workspace member. */
function workspaceRoot(prefix: string): string | null {
  for (let dir = dirname(prefix); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
      if (manifest.workspaces) return dir;
    } catch {
      // no package.json here
    }
  }
  return null;
}

/** Every .npmrc npm would read for this project, lowest priority first. */
export function npmrcFiles(env: NodeJS.ProcessEnv, prefix: string, realNpm: string | null): NpmrcFile[] {
  const files: Array<NpmrcFile | null> = [];
  if (realNpm) {
    try {
      files.push(readRc('builtin', join(dirname(dirname(realpathSync(realNpm))), 'npmrc'), env));
    } catch {
      // npm not where we thought: no built-in file
    }
  }
  const globalPrefix = envConfig(env, 'prefix') ?? dirname(dirname(process.execPath));
  files.push(readRc('global', envConfig(env, 'globalconfig') ?? join(globalPrefix, 'etc', 'npmrc'), env));
  files.push(readRc('user', envConfig(env, 'userconfig') ?? join(env.HOME || homedir(), '.npmrc'), env));
  const root = workspaceRoot(prefix);
  if (root) files.push(readRc('project', join(root, '.npmrc'), env));
  files.push(readRc('project', join(prefix, '.npmrc'), env));
  return files.filter((file): file is NpmrcFile => file !== null);
}
