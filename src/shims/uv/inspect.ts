// uv under the shim: index options on its command line, requirements files, UV_* variables,
// uv.toml and pyproject.toml settings (user, system and project), the packages to check first,
// and the environment that makes the firewall uv's default and only index.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { scanArgs, type ScannedArgs } from '../../inputs/options.js';
import { bypassProxyFor, displayPath, pypiSimpleUrl, type InspectInput, type ToolPlan } from '../plan.js';
import { scanTomlFile } from '../pyproject.js';
import { addSource, includeFile, scanRequirement, type RequirementsScan } from '../requirements.js';
import { FROM_COMMAND_LINE, FROM_ENVIRONMENT, isTrusted } from '../settings.js';
import { UV_CONSTRAINT_OPTIONS, UV_REQUIREMENT_OPTIONS, UV_SOURCE_OPTIONS, uvOptions } from './options.js';

const SOURCE_VARIABLES = ['UV_DEFAULT_INDEX', 'UV_INDEX', 'UV_INDEX_URL', 'UV_EXTRA_INDEX_URL', 'UV_FIND_LINKS'];
/** Of those, the ones that add a source (and so can be trusted); the others name the default index, which is the firewall. */
const EXTRA_VARIABLES = new Set(['UV_INDEX', 'UV_EXTRA_INDEX_URL', 'UV_FIND_LINKS']);
/** Commands that work on the project in the working directory (and read its dependencies). */
const PROJECT_COMMANDS = new Set(['add', 'remove', 'sync', 'lock', 'run', 'export', 'tree', 'build', 'version', 'init']);
/** Commands whose first positional is the command to run: nothing after it is uv's. */
const RUNNERS = new Set(['run', 'tool run', 'tool uvx', 'x']);
const CLI_WHY = 'another package source, consulted before the firewall';

interface UvCommand {
  /** "pip install", "add", "tool run" */
  path: string;
  scanned: ScannedArgs;
}

function parseUv(args: readonly string[]): UvCommand {
  // The command path is the first one or two positionals (`pip install`, `tool run`); global
  // options may come before, between and after them.
  const first = scanArgs(args, uvOptions(''), () => true);
  const [head = '', ...rest] = first.positionals;
  const nested = head === 'pip' || head === 'tool' || head === 'python' || head === 'cache' || head === 'self' || head === 'auth';
  let path = head;
  let remaining = rest;
  let options = first.options;
  if (nested) {
    const second = scanArgs(rest, uvOptions(head), () => true);
    const [sub = '', ...after] = second.positionals;
    path = `${head} ${sub}`.trim();
    remaining = after;
    options = [...options, ...second.options];
  }
  const runner = RUNNERS.has(path);
  const tail = scanArgs(remaining, uvOptions(path), runner ? () => true : undefined);
  return { path, scanned: { options: [...options, ...tail.options], positionals: tail.positionals } };
}

export async function inspectUv(input: InspectInput): Promise<ToolPlan> {
  const { env, trusted } = input;
  const { path, scanned } = parseUv(input.args);
  const directory = scanned.options.find((option) => option.name === '--directory')?.value;
  const cwd = directory ? resolve(input.cwd, directory) : input.cwd;
  const projectOption = scanned.options.find((option) => option.name === '--project')?.value;
  const projectDir = projectOption ? resolve(cwd, projectOption) : cwd;
  const display = displayPath(input.cwd);
  const scan: RequirementsScan = { env, trusted, display, settings: [], packages: [], localPaths: [], seen: new Set() };

  for (const option of scanned.options) {
    if (option.name === null || option.value === null) continue;
    if (UV_SOURCE_OPTIONS.includes(option.name)) {
      addSource(scan, {
        setting: option.written,
        value: option.value.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:\/\/)/i, ''),
        origin: FROM_COMMAND_LINE,
        action: 'refuse',
        why: CLI_WHY,
      });
    } else if (UV_REQUIREMENT_OPTIONS.includes(option.name)) {
      includeFile(option.written, option.value, 'requirements', cwd, FROM_COMMAND_LINE, scan);
    } else if (UV_CONSTRAINT_OPTIONS.includes(option.name)) {
      includeFile(option.written, option.value, 'constraints', cwd, FROM_COMMAND_LINE, scan);
    } else if (option.name === '--editable') {
      scanRequirement(option.value, FROM_COMMAND_LINE, 'requirements', cwd, scan);
    } else if (option.name === '--with' || option.name === '--from') {
      for (const requirement of option.value.split(',')) scanRequirement(requirement, FROM_COMMAND_LINE, 'requirements', cwd, scan);
    }
  }

  const operands = scanned.positionals;
  if (path === 'pip install' || path === 'add')
    for (const operand of operands) scanRequirement(operand, FROM_COMMAND_LINE, 'requirements', cwd, scan);
  if (path === 'pip compile' || path === 'pip sync')
    for (const operand of operands) includeFile('requirements file', operand, 'requirements', cwd, FROM_COMMAND_LINE, scan);
  if (
    (path === 'tool install' || RUNNERS.has(path)) &&
    path !== 'run' &&
    operands[0] &&
    !scanned.options.some((option) => option.name === '--from')
  ) {
    scanRequirement(operands[0], FROM_COMMAND_LINE, 'requirements', cwd, scan);
  }

  for (const variable of SOURCE_VARIABLES) {
    const value = env[variable];
    if (!value?.trim()) continue;
    for (const item of value.split(/\s+/).filter(Boolean)) {
      const url = item.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:\/\/)/i, '');
      const action = EXTRA_VARIABLES.has(variable) && isTrusted(url, trusted) ? 'trusted' : 'ignore';
      scan.settings.push({ setting: variable, value: url, origin: FROM_ENVIRONMENT, action });
    }
  }
  const strategy = env.UV_INDEX_STRATEGY;
  if (strategy && strategy !== 'first-index')
    scan.settings.push({ setting: 'UV_INDEX_STRATEGY', value: strategy, origin: FROM_ENVIRONMENT, action: 'ignore' });

  const noConfig = scanned.options.some((option) => option.name === '--no-config') || truthy(env.UV_NO_CONFIG);
  const configFile = scanned.options.find((option) => option.name === '--config-file')?.value ?? env.UV_CONFIG_FILE;
  if (configFile) await scanTomlFile(resolve(cwd, configFile), 'uv.toml', scan, { uvSettings: true, dependencies: false });
  else if (!noConfig)
    for (const file of userAndSystemConfigs(env)) await scanTomlFile(file, 'uv.toml', scan, { uvSettings: true, dependencies: false });
  const withDependencies = PROJECT_COMMANDS.has(path);
  for (const file of projectConfigs(projectDir)) {
    await scanTomlFile(file, file.endsWith('uv.toml') ? 'uv.toml' : 'pyproject', scan, {
      uvSettings: true,
      dependencies: withDependencies && !file.endsWith('uv.toml'),
    });
  }
  for (const local of scan.localPaths) {
    const pyproject = join(local.path, 'pyproject.toml');
    if (existsSync(pyproject)) await scanTomlFile(pyproject, 'pyproject', scan, { uvSettings: false, dependencies: true });
  }

  const keep = new Map<string, string>();
  for (const variable of EXTRA_VARIABLES) {
    const items = (env[variable] ?? '')
      .split(/\s+/)
      .filter((item) => item && isTrusted(item.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:\/\/)/i, ''), trusted));
    if (items.length > 0) keep.set(variable, items.join(' '));
  }
  return {
    label: `uv ${path}`.trim(),
    settings: scan.settings,
    packages: scan.packages,
    environment(firewall) {
      const result: NodeJS.ProcessEnv = { ...env };
      for (const variable of SOURCE_VARIABLES) delete result[variable];
      for (const [variable, value] of keep) result[variable] = value;
      result.UV_DEFAULT_INDEX = pypiSimpleUrl(firewall);
      result.UV_INDEX_STRATEGY = 'first-index';
      bypassProxyFor(result, firewall.url);
      return result;
    },
  };
}

function isWorkspaceRoot(pyproject: string): boolean {
  try {
    return readFileSync(pyproject, 'utf8').includes('tool.uv.workspace');
  } catch {
    return false;
  }
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** uv's user and system configuration files, those that exist. */
function userAndSystemConfigs(env: NodeJS.ProcessEnv): string[] {
  const files = [join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'uv', 'uv.toml')];
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':')) if (dir) files.push(join(dir, 'uv', 'uv.toml'));
  files.push('/etc/uv/uv.toml');
  return [...new Set(files)].filter((file) => existsSync(file));
}

/**
 * The project's configuration: uv.toml and pyproject.toml in the nearest directory holding either,
 * and the workspace root's pyproject.toml above it.
 */
function projectConfigs(start: string): string[] {
  const files: string[] = [];
  let nearest: string | null = null;
  for (let dir = start; ; dir = dirname(dir)) {
    const candidates = [join(dir, 'uv.toml'), join(dir, 'pyproject.toml')].filter((file) => existsSync(file));
    if (nearest === null && candidates.length > 0) {
      nearest = dir;
      files.push(...candidates);
    } else if (nearest !== null && isWorkspaceRoot(join(dir, 'pyproject.toml'))) {
      files.push(join(dir, 'pyproject.toml')); // a workspace root's settings apply to its members
    }
    if (dirname(dir) === dir) break;
  }
  return files;
}
