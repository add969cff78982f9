// npm's configuration files (.npmrc): the project's (and its workspace root's), the user's, the
// global one and npm's built-in one, found where npm finds them (the command line, then npm_config_*
// variables, then the file before it may name the next one) and read as npm reads them
// (src/inputs/npmrc.ts), for the settings that say where packages come from.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readNpmrc, type NpmrcEntry as InputEntry } from '../../inputs/npmrc.js';

export interface NpmrcEntry extends InputEntry {
  file: string;
}

export type NpmrcLevel = 'project' | 'user' | 'global' | 'builtin';

export interface NpmrcFile {
  level: NpmrcLevel;
  path: string;
  entries: NpmrcEntry[];
}

function readRc(level: NpmrcLevel, path: string, env: NodeJS.ProcessEnv): NpmrcFile | null {
  try {
    return { level, path, entries: readNpmrc(readFileSync(path, 'utf8'), env).map((entry) => ({ ...entry, file: path })) };
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

/** Settings given on npm's command line that say where its configuration files are. */
export interface NpmrcLocations {
  userconfig?: string | undefined;
  globalconfig?: string | undefined;
  prefix?: string | undefined;
}

/**
 * Every .npmrc npm would read for this project, lowest priority first. As in npm, the project's
 * file may name the user file, and the user file the global one.
 */
export function npmrcFiles(env: NodeJS.ProcessEnv, prefix: string, realNpm: string | null, cli: NpmrcLocations = {}): NpmrcFile[] {
  const setIn = (key: string, ...files: (NpmrcFile | null)[]) =>
    cli[key as keyof NpmrcLocations] ??
    envConfig(env, key) ??
    files.map((file) => file?.entries.findLast((entry) => entry.key === key)?.value).find((value) => value !== undefined);
  const project: (NpmrcFile | null)[] = [];
  const root = workspaceRoot(prefix);
  if (root) project.push(readRc('project', join(root, '.npmrc'), env));
  project.push(readRc('project', join(prefix, '.npmrc'), env));
  const user = readRc('user', setIn('userconfig', ...project.slice().reverse()) ?? join(env.HOME || homedir(), '.npmrc'), env);
  const globalPrefix = setIn('prefix', user) ?? dirname(dirname(process.execPath));
  const global = readRc('global', setIn('globalconfig', ...project.slice().reverse(), user) ?? join(globalPrefix, 'etc', 'npmrc'), env);
  const files: (NpmrcFile | null)[] = [];
  if (realNpm) {
    try {
      files.push(readRc('builtin', join(dirname(dirname(realpathSync(realNpm))), 'npmrc'), env));
    } catch {
      // npm not where we thought: no built-in file
    }
  }
  files.push(global, user, ...project);
  return files.filter((file): file is NpmrcFile => file !== null);
}
