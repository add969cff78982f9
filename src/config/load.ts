// Loads the configuration from its layers, lowest first: the bundled defaults, the user's file,
// the project's file (or the one named by --config / DEPFENCE_CONFIG), DEPFENCE_* environment
// variables, then command-line flags. Maps merge key by key; anything else (lists included)
// replaces what a lower layer said. Every value remembers which layer set it, so a validation error
// can name the file or variable to fix.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { builtDefaults } from './built-defaults.js';
import { configSchema, type Config } from './schema.js';
import { ConfigError } from './errors.js';

type Tree = Record<string, unknown>;

/** One source of settings, with a label saying where it came from ("~/.config/depfence/config.yaml", "DEPFENCE_MODE"…). */
interface Layer {
  origin: string;
  values: Tree;
}

/** A setting from the command line: `{path: ['server', 'port'], value: 0, flag: '--port'}`. */
export interface FlagOverride {
  path: string[];
  value: unknown;
  flag: string;
}

export interface LoadOptions {
  /** --config FILE */
  configFile?: string;
  flags?: FlagOverride[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: Config;
  /** The files read, lowest layer first. */
  files: string[];
}

const PROJECT_FILE = 'depfence.yaml';
const ENV_PREFIX = 'DEPFENCE_';
/**
 * DEPFENCE_* variables that are not configuration keys: the config file and data dir have their
 * own names, the shims' settings are read by the shims.
 */
const ENV_NOT_CONFIG = [
  /^DEPFENCE_CONFIG$/,
  /^DEPFENCE_DATA_DIR$/,
  /^DEPFENCE_TOKEN$/,
  /^DEPFENCE_HF_TOKEN$/,
  /^DEPFENCE_REAL_[A-Z0-9_]+$/,
  /^DEPFENCE_SHIM_[A-Z0-9_]+$/,
];
/** Short names for the settings people set from the environment most. */
const ENV_ALIASES: { variable: string; path: string[] }[] = [
  { variable: 'DEPFENCE_DATA_DIR', path: ['server', 'dataDir'] },
  { variable: 'DEPFENCE_TOKEN', path: ['server', 'token'] },
  // Not HF_TOKEN: the Hub's clients send that one to the firewall (set it to server.token).
  { variable: 'DEPFENCE_HF_TOKEN', path: ['upstreams', 'huggingface', 'token'] },
];

export function defaultConfigFile(): string {
  return fileURLToPath(new URL('../../config/default.yaml', import.meta.url));
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const files = [defaultConfigFile()];
  const userFile = join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'depfence', 'config.yaml');
  if (existsSync(userFile)) files.push(userFile);
  const projectFile = chooseProjectFile(options.configFile, env, cwd);
  if (projectFile) files.push(projectFile);

  const layers: Layer[] = files.map(readLayer);
  layers.push(...envLayers(env));
  for (const { variable, path } of ENV_ALIASES) {
    const value = env[variable];
    if (value) layers.push({ origin: variable, values: nest(path, value) });
  }
  layers.push(...(options.flags ?? []).map((flag) => ({ origin: flag.flag, values: nest(flag.path, flag.value) })));

  const origins = new Map<string, string>();
  const merged: Tree = {};
  for (const layer of layers) mergeInto(merged, layer.values, [], layer.origin, origins);

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, origins));
  const config: Config = {
    ...parsed.data,
    server: { ...parsed.data.server, dataDir: resolveDataDir(parsed.data.server.dataDir, env, cwd) },
  };
  return { config, files };
}

function chooseProjectFile(flagFile: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = flagFile ?? env.DEPFENCE_CONFIG;
  if (named) {
    const file = resolve(cwd, named);
    if (!existsSync(file)) {
      const how = flagFile ? '--config' : 'DEPFENCE_CONFIG';
      throw new ConfigError(`config file ${file} (from ${how}) does not exist: fix the path or drop ${how}`);
    }
    return file;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function readLayer(file: string): Layer {
  let values: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    values = (file === defaultConfigFile() ? builtDefaults(text) : undefined) ?? parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  if (!isTree(values)) throw new ConfigError(`config file ${file} must hold a YAML map of settings at the top level`);
  resolveListPaths(values, dirname(file));
  return { origin: file, values };
}

let yaml: typeof Yaml | undefined;

/** The YAML parser loads with the first YAML text to read: a start on the bundled defaults alone never loads it. */
function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text);
}

/** Blocklist and models.lock paths in a config file are relative to that file. */
function resolveListPaths(values: Tree, baseDir: string): void {
  const policy = values.policy;
  if (isTree(policy) && isTree(policy.models) && typeof policy.models.lock === 'string' && !isAbsolute(policy.models.lock)) {
    policy.models.lock = resolve(baseDir, policy.models.lock);
  }
  if (!isTree(policy) || !isTree(policy.blocklists) || !Array.isArray(policy.blocklists.files)) return;
  for (const entry of policy.blocklists.files) {
    if (isTree(entry) && typeof entry.path === 'string' && !isAbsolute(entry.path)) entry.path = resolve(baseDir, entry.path);
  }
}

/** DEPFENCE_POLICY__MIN_VERSION_AGE=1h → {policy: {minVersionAge: '1h'}}; values are YAML scalars. */
function envLayers(env: NodeJS.ProcessEnv): Layer[] {
  const layers: Layer[] = [];
  for (const [variable, raw] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!variable.startsWith(ENV_PREFIX) || raw === undefined || ENV_NOT_CONFIG.some((re) => re.test(variable))) continue;
    const path = variable.slice(ENV_PREFIX.length).split('__').map(snakeToCamel);
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    layers.push({ origin: variable, values: nest(path, value) });
  }
  return layers;
}

function snakeToCamel(word: string): string {
  return word.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function nest(path: string[], value: unknown): Tree {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Tree;
}

function mergeInto(target: Tree, source: Tree, path: string[], origin: string, origins: Map<string, string>): void {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = [...path, key];
    const existing = target[key];
    if (isTree(value) && isTree(existing)) {
      mergeInto(existing, value, keyPath, origin, origins);
      continue;
    }
    target[key] = isTree(value) ? structuredClone(value) : value;
    for (const known of [...origins.keys()]) if (known.startsWith(`${keyPath.join('.')}.`)) origins.delete(known);
    origins.set(keyPath.join('.'), origin);
  }
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The origin of the deepest recorded key on the path: where the bad value was written. */
function originOf(path: PropertyKey[], origins: Map<string, string>): string {
  for (let length = path.length; length > 0; length--) {
    const origin = origins.get(path.slice(0, length).map(String).join('.'));
    if (origin) return origin;
  }
  return 'the configuration';
}

function describeIssues(error: z.ZodError, origins: Map<string, string>): string {
  const lines = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => {
          const path = [...issue.path, key];
          return `${path.join('.')} (in ${originOf(path, origins)}): unknown key; allowed here: ${allowedKeysAt(issue.path)}`;
        })
        .join('\n');
    }
    return `${issue.path.join('.') || '(top level)'} (in ${originOf(issue.path, origins)}): ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

function allowedKeysAt(path: PropertyKey[]): string {
  let schema: unknown = configSchema;
  for (const key of path) {
    const shape = shapeOf(schema);
    schema = shape?.[String(key)];
    if (!schema) return '(see config/default.yaml)';
  }
  const shape = shapeOf(schema);
  return shape ? Object.keys(shape).join(', ') : '(see config/default.yaml)';
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as { shape?: Record<string, unknown>; def?: { in?: unknown; innerType?: unknown; schema?: unknown } } | undefined;
  for (let depth = 0; current && !current.shape && depth < 5; depth++) {
    current = (current.def?.in ?? current.def?.innerType ?? current.def?.schema) as typeof current;
  }
  return current?.shape;
}

function resolveDataDir(configured: string | null, env: NodeJS.ProcessEnv, cwd: string): string {
  if (configured) return resolve(cwd, configured);
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'depfence');
}
