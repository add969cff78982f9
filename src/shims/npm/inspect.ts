// npm and npx under the shim: registry options on the command line, registry lines in every
// .npmrc and npm_config_* variable, git and URL dependencies (in the command, package.json and the
// lockfile), the packages to check first, and the environment that makes the firewall npm's
// registry for every scope and every lockfile host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanArgs } from '../options.js';
import { classifyNpmArg, classifyNpmRange, type PackageRef } from '../packages.js';
import { bypassProxyFor, displayPath, type InspectInput, type ToolPlan } from '../plan.js';
import { addSource } from '../requirements.js';
import { FROM_COMMAND_LINE, FROM_ENVIRONMENT, isTrusted, lineOf, type SourceSetting } from '../settings.js';
import { localPrefix, npmEnvKey, npmrcFiles } from './npmrc.js';
import { CI_COMMANDS, EXEC_COMMANDS, INSTALL_COMMANDS, NPM_OPTIONS, NPX_OPTIONS, scopeOfRegistryOption, UPDATE_COMMANDS } from './options.js';

const SCOPED_KEY = /^(@[^:\s]+):registry$/;
const CLI_WHY = 'another registry, asked instead of the firewall';
const PROJECT_REGISTRY_WHY = "the project's registry: npm would be pointed away from the firewall";
const GIT_WHY = 'a git dependency is cloned from its host, around the firewall';
const REMOTE_WHY = 'a URL dependency is downloaded from that URL, around the firewall';
const HOST_WHY = 'lockfile URLs on other hosts would be fetched directly, around the firewall';
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

interface Scan {
  trusted: readonly string[];
  settings: SourceSetting[];
  packages: PackageRef[];
}

export async function inspectNpm(input: InspectInput & { npx: boolean }): Promise<ToolPlan> {
  const { env, cwd, trusted } = input;
  const display = displayPath(cwd);
  const scan: Scan = { trusted, settings: [], packages: [] };
  const table = input.npx ? NPX_OPTIONS : NPM_OPTIONS;
  // npx: everything after the package/command belongs to the command being run
  const { options, positionals } = scanArgs(input.args, table, input.npx ? () => true : undefined);
  const [command = '', ...operands] = input.npx ? ['exec', ...positionals] : positionals;
  const execArgs = EXEC_COMMANDS.has(command) && !input.npx ? scanArgs(input.args.slice(input.args.indexOf(command) + 1), NPX_OPTIONS, () => true) : null;
  const allOptions = execArgs ? [...options, ...execArgs.options] : options;
  const prefix = localPrefix(cwd, allOptions.find((option) => option.name === '--prefix')?.value ?? undefined);

  let projectRegistryTrusted = false;
  for (const option of allOptions) {
    if (option.name === null) continue;
    if (option.name === '--registry' || scopeOfRegistryOption(option.name)) {
      addSource(scan, { setting: option.written, value: option.value ?? '', origin: FROM_COMMAND_LINE, action: 'refuse', why: CLI_WHY });
      if (option.name === '--registry' && option.value && isTrusted(option.value, trusted)) projectRegistryTrusted = true;
    } else if (option.name === '--replace-registry-host' && option.value !== 'always') {
      scan.settings.push({ setting: option.written, value: option.value ?? '', origin: FROM_COMMAND_LINE, action: 'refuse', why: HOST_WHY });
    } else if (option.name === '--package' && option.value) {
      addSpec(scan, option.value, FROM_COMMAND_LINE);
    }
  }

  const installing = INSTALL_COMMANDS.has(command) || UPDATE_COMMANDS.has(command);
  if (installing) for (const operand of operands) addSpec(scan, operand, FROM_COMMAND_LINE);
  if (EXEC_COMMANDS.has(command) && !allOptions.some((option) => option.name === '--package' || option.name === '--call')) {
    const target = input.npx ? operands[0] : execArgs?.positionals[0];
    if (target && !existsSync(join(prefix, 'node_modules', '.bin', target))) addSpec(scan, target, FROM_COMMAND_LINE);
  }

  // .npmrc files and npm_config_* variables
  const scopes = new Map<string, 'redirect' | 'trusted'>();
  for (const file of npmrcFiles(env, prefix, input.realTool)) {
    for (const entry of file.entries) {
      const origin = file.level === 'project' ? `${display(entry.file)}:${entry.line}` : entry.file;
      const scope = SCOPED_KEY.exec(entry.key)?.[1];
      if (entry.key === 'registry') {
        if (file.level === 'project' && !isPublicRegistry(entry.value)) {
          addSource(scan, { setting: 'registry', value: entry.value, origin, action: 'refuse', why: PROJECT_REGISTRY_WHY });
          projectRegistryTrusted = isTrusted(entry.value, trusted);
        } else if (!isPublicRegistry(entry.value)) {
          scan.settings.push({ setting: 'registry', value: entry.value, origin, action: 'ignore' });
        }
      } else if (scope) {
        const action = isTrusted(entry.value, trusted) ? 'trusted' : 'redirect';
        scopes.set(scope, action);
        scan.settings.push({ setting: entry.key, value: entry.value, origin, action });
      } else if (entry.key === 'replace-registry-host' && entry.value !== 'always') {
        scan.settings.push({ setting: entry.key, value: entry.value, origin, action: 'ignore' });
      }
    }
  }
  for (const [variable, value] of Object.entries(env)) {
    const key = npmEnvKey(variable);
    if (!key || !value) continue;
    const scope = SCOPED_KEY.exec(key)?.[1];
    if (key === 'registry' && !isPublicRegistry(value)) {
      scan.settings.push({ setting: variable, value, origin: FROM_ENVIRONMENT, action: 'ignore' });
    } else if (scope) {
      const action = isTrusted(value, trusted) ? 'trusted' : 'redirect';
      scopes.set(scope, action);
      scan.settings.push({ setting: variable, value, origin: FROM_ENVIRONMENT, action });
    } else if (key === 'replace-registry-host' && value !== 'always') {
      scan.settings.push({ setting: variable, value, origin: FROM_ENVIRONMENT, action: 'ignore' });
    }
  }

  // the project's own dependencies and lockfile
  if (installing || CI_COMMANDS.has(command)) scanProject(scan, prefix, display, operands.length === 0 && !UPDATE_COMMANDS.has(command));

  return {
    label: input.npx ? 'npx' : `npm ${command}`.trim(),
    settings: scan.settings,
    packages: scan.packages,
    environment(firewall) {
      const registry = `${firewall.url}/`;
      const result: NodeJS.ProcessEnv = {};
      for (const [variable, value] of Object.entries(env)) {
        const key = npmEnvKey(variable);
        if (key === 'registry' || key === 'replace-registry-host') continue;
        const scope = key ? SCOPED_KEY.exec(key)?.[1] : undefined;
        if (scope && scopes.get(scope) !== 'trusted') continue;
        result[variable] = value;
      }
      if (!projectRegistryTrusted) {
        result.npm_config_registry = registry;
        result.npm_config_replace_registry_host = 'always';
      }
      for (const [scope, action] of scopes) if (action === 'redirect') result[`npm_config_${scope}:registry`] = registry;
      if (firewall.token !== null) result[`npm_config_//${new URL(registry).host}/:_authToken`] = firewall.token;
      bypassProxyFor(result, firewall.url);
      return result;
    },
  };
}

/** The public registry under its usual names: the firewall proxies it, so pointing there is no bypass. */
function isPublicRegistry(url: string): boolean {
  return /^https?:\/\/registry\.(npmjs\.org|npmjs\.com|yarnpkg\.com)\/?$/.test(url.trim());
}

function addSpec(scan: Scan, spec: string, origin: string): void {
  const target = classifyNpmArg(spec);
  if (target.kind === 'registry') scan.packages.push({ ecosystem: 'npm', name: target.name, version: target.version, origin });
  else if (target.kind === 'git') addSource(scan, { setting: 'git dependency', value: target.url, origin, action: 'refuse', why: GIT_WHY });
  else if (target.kind === 'remote') addSource(scan, { setting: 'URL dependency', value: target.url, origin, action: 'refuse', why: REMOTE_WHY });
}

/**
 * package.json: git and URL dependencies are refused; with `newOnly`, dependencies the lockfile
 * does not have yet (the change being installed) are checked first. The lockfile: git entries.
 */
function scanProject(scan: Scan, prefix: string, display: (file: string) => string, newOnly: boolean): void {
  const manifestFile = join(prefix, 'package.json');
  let manifest: Record<string, unknown>;
  let manifestText: string;
  try {
    manifestText = readFileSync(manifestFile, 'utf8');
    manifest = JSON.parse(manifestText) as Record<string, unknown>;
  } catch {
    return;
  }
  const lock = readLock(prefix);
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, range] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof range !== 'string') continue;
      const origin = `${display(manifestFile)}:${lineOf(manifestText, `"${name}"`)}`;
      const target = classifyNpmRange(range);
      if (target.kind === 'git') addSource(scan, { setting: `${field}.${name}`, value: target.url, origin, action: 'refuse', why: GIT_WHY });
      else if (target.kind === 'remote') addSource(scan, { setting: `${field}.${name}`, value: target.url, origin, action: 'refuse', why: REMOTE_WHY });
      else if (target.kind === 'registry' && newOnly && field !== 'peerDependencies' && !lock?.packages[`node_modules/${name}`]) {
        scan.packages.push({ ecosystem: 'npm', name: target.name || name, version: target.version, origin: `${display(manifestFile)} ${field}` });
      }
    }
  }
  if (!lock) return;
  for (const [path, entry] of Object.entries(lock.packages)) {
    const resolved = entry.resolved;
    if (typeof resolved !== 'string' || !/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved)) continue;
    addSource(scan, { setting: `lockfile ${path}`, value: resolved, origin: `${display(lock.file)}:${lineOf(lock.text, resolved)}`, action: 'refuse', why: GIT_WHY });
  }
}

function readLock(prefix: string): { file: string; text: string; packages: Record<string, { resolved?: unknown }> } | null {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = join(prefix, name);
    try {
      const text = readFileSync(file, 'utf8');
      const parsed = JSON.parse(text) as { packages?: Record<string, { resolved?: unknown }> };
      return { file, text, packages: parsed.packages ?? {} };
    } catch {
      // not there, or not JSON: npm reports it
    }
  }
  return null;
}
