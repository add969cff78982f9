// pip's configuration files: where pip looks for them, reading them the way Python's configparser
// does, and writing the file depfence hands pip instead (PIP_CONFIG_FILE).
//
// pip loads, lowest first: the global files, the user files (skipped when PIP_CONFIG_FILE names an
// existing file), the site file ($VIRTUAL_ENV/pip.conf), then PIP_CONFIG_FILE, then PIP_*
// variables; keys are "section.key" and a later file replaces a key, so an empty value in
// depfence's file blanks what any other file set (pip ignores empty values).
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';

export type PipConfigVariant = 'global' | 'user' | 'site' | 'env';

export interface PipConfigFile {
  variant: PipConfigVariant;
  path: string;
}

/** section → normalised key → raw value (multi-line values keep their newlines). */
export type IniSections = Map<string, Map<string, string>>;

const DEV_NULL = '/dev/null';

/** `--Extra_Index_URL` → `extra-index-url`, as pip normalises keys. */
export function normalizePipKey(key: string): string {
  return key.trim().toLowerCase().replace(/_/g, '-').replace(/^--/, '');
}

/** The files pip would load for this environment, lowest priority first (only those that exist). */
export function pipConfigFiles(env: NodeJS.ProcessEnv, realPip: string | null): PipConfigFile[] {
  const named = env.PIP_CONFIG_FILE;
  if (named === DEV_NULL) return [];
  const home = env.HOME || homedir();
  const files: PipConfigFile[] = [];
  const add = (variant: PipConfigVariant, path: string) => {
    if (path && existsSync(path) && !files.some((file) => file.path === path)) files.push({ variant, path });
  };
  if (platform() === 'darwin') add('global', '/Library/Application Support/pip/pip.conf');
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')) if (dir) add('global', join(dir, 'pip', 'pip.conf'));
  add('global', '/etc/pip.conf');
  if (!(named && existsSync(named))) {
    add('user', join(home, '.pip', 'pip.conf'));
    if (platform() === 'darwin') add('user', join(home, 'Library', 'Application Support', 'pip', 'pip.conf'));
    add('user', join(env.XDG_CONFIG_HOME || join(home, '.config'), 'pip', 'pip.conf'));
  }
  for (const prefix of sitePrefixes(env, realPip)) add('site', join(prefix, 'pip.conf'));
  if (named) add('env', named);
  return files;
}

/** sys.prefix of the Python pip runs in: the active virtualenv, or the installation around the pip executable. */
function sitePrefixes(env: NodeJS.ProcessEnv, realPip: string | null): string[] {
  if (env.VIRTUAL_ENV) return [env.VIRTUAL_ENV];
  if (!realPip) return [];
  try {
    return [dirname(dirname(realpathSync(realPip)))];
  } catch {
    return [];
  }
}

/** configparser's reading: `[section]`, `key = value` or `key: value`, indented continuation lines, `#`/`;` comments. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let section: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    if (/^\s/.test(raw) && section && lastKey !== null) {
      section.set(lastKey, `${section.get(lastKey)}\n${raw.trim()}`.replace(/^\n/, ''));
      continue;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw.trim());
    if (header) {
      const name = header[1]!.trim();
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      lastKey = null;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw.trim());
    if (pair && section) {
      lastKey = normalizePipKey(pair[1]!);
      section.set(lastKey, pair[2]!.trim());
    }
  }
  return sections;
}

export function readIni(path: string): IniSections {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}

/** Values of a list setting (pip splits on whitespace). */
export function listValues(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

export function formatIni(sections: IniSections, header: string): string {
  const lines = [header];
  for (const [name, keys] of sections) {
    lines.push('', `[${name}]`);
    for (const [key, value] of keys) {
      const [first = '', ...rest] = value.split('\n');
      lines.push(`${key} = ${first}`.trimEnd(), ...rest.map((line) => `    ${line}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
