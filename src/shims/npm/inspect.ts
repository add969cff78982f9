// npm and npx under the shim. Whatever the command, npm runs with the firewall as its only source:
// the registry and every scope's registry point at it, lockfile URLs on any host are fetched from
// it, npm's cache is depfence's own folder in the data dir (a tarball cached around the firewall is
// never reused), and no proxy sits between npm and the firewall. Settings npm would let override
// that from the command line are refused; those in .npmrc files and npm_config_* variables (any
// spelling) are overridden. Git, URL and path dependencies (in the command, package.json and the
// lockfile) are refused, and the packages a command names are put to the pre-flight check.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpmDependency, readNpmSpec, type NpmSpec } from '../../inputs/npm-spec.js';
import { InputError } from '../../inputs/input-error.js';
import { readPackageJson } from '../../inputs/package-json.js';
import { readPackageLock, type PackageLock } from '../../inputs/package-lock.js';
import { scanArgs, type ScannedOption } from '../../inputs/options.js';
import type { PackageRef } from '../packages.js';
import { bypassProxyFor, displayPath, type FirewallEndpoint, type InspectInput, type ToolPlan } from '../plan.js';
import { addSource } from '../requirements.js';
import { FROM_COMMAND_LINE, FROM_ENVIRONMENT, isTrusted, type SourceSetting } from '../settings.js';
import { initializerSpec, INSTALL_OPERANDS, npmCommand, PROJECT_COMMANDS } from './commands.js';
import { localPrefix, npmEnvKey, npmrcFiles } from './npmrc.js';
import { NPM_OPTIONS, NPX_OPTIONS, scopeOfRegistryOption } from './options.js';

const SCOPED_KEY = /^(@[^:\s]+):registry$/;
const CLI_WHY = 'another registry, asked instead of the firewall';
const PROJECT_REGISTRY_WHY = "the project's registry: npm would be pointed away from the firewall";
const GIT_WHY = 'a git dependency is cloned from its host, around the firewall';
const REMOTE_WHY = 'a URL dependency is downloaded from that URL, around the firewall';
const HOST_WHY = 'lockfile URLs on other hosts would be fetched directly, around the firewall';
const CACHE_WHY = "npm's cache may hold tarballs fetched around the firewall; under the shim npm uses depfence's own cache";
const PROXY_WHY = 'a proxy between npm and the firewall could answer in its place';
/** Settings the shim owns: whatever the user's files and variables say, npm gets depfence's values. */
const OWNED_KEYS = new Set(['registry', 'replace-registry-host', 'cache', 'noproxy']);
/** Command-line options npm would let override the shim's settings (the command line beats the environment). */
const REFUSED_OPTIONS: Record<string, string> = {
  '--cache': CACHE_WHY,
  '--proxy': PROXY_WHY,
  '--https-proxy': PROXY_WHY,
  '--noproxy': PROXY_WHY,
};

interface Scan {
  trusted: readonly string[];
  settings: SourceSetting[];
  packages: PackageRef[];
  /** Relative paths in specs are resolved against it. */
  cwd: string;
}

export function inspectNpm(input: InspectInput & { npx: boolean }): ToolPlan {
  const { env, cwd, trusted } = input;
  const display = displayPath(cwd);
  const scan: Scan = { trusted, settings: [], packages: [], cwd };
  const table = input.npx ? NPX_OPTIONS : NPM_OPTIONS;
  // npx: everything after the package/command belongs to the command being run
  const { options, positionals } = scanArgs(input.args, table, input.npx ? () => true : undefined);
  const [word = '', ...operands] = input.npx ? ['exec', ...positionals] : positionals;
  const command = npmCommand(word);
  const execArgs =
    command === 'exec' && !input.npx ? scanArgs(input.args.slice(input.args.indexOf(word) + 1), NPX_OPTIONS, () => true) : null;
  const allOptions = execArgs ? [...options, ...execArgs.options] : options;
  const optionValue = (name: string) => allOptions.findLast((option) => option.name === name)?.value ?? undefined;
  const prefix = localPrefix(cwd, optionValue('--prefix'));

  let projectRegistryTrusted = commandLineSettings(scan, allOptions);

  // the packages the command names
  if (command !== null && INSTALL_OPERANDS.has(command)) for (const operand of operands) addSpec(scan, operand, FROM_COMMAND_LINE);
  if (command === 'init' && operands[0]) addSpec(scan, initializerSpec(operands[0]), FROM_COMMAND_LINE);
  if (command === 'pack') for (const operand of operands) addSpec(scan, operand, FROM_COMMAND_LINE);
  if (command === 'cache' && operands[0] === 'add') for (const operand of operands.slice(1)) addSpec(scan, operand, FROM_COMMAND_LINE);
  if (command === 'exec' && !allOptions.some((option) => option.name === '--package' || option.name === '--call')) {
    const target = input.npx ? operands[0] : execArgs?.positionals[0];
    if (target && !existsSync(join(prefix, 'node_modules', '.bin', target))) addSpec(scan, target, FROM_COMMAND_LINE);
  }

  // .npmrc files and npm_config_* variables
  const scopes = new Map<string, 'redirect' | 'trusted'>();
  const locations = {
    userconfig: optionValue('--userconfig'),
    globalconfig: optionValue('--globalconfig'),
    prefix: optionValue('--prefix'),
  };
  for (const file of npmrcFiles(env, prefix, input.realTool, locations)) {
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
      } else if (overridden(entry.key, entry.value)) {
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
    } else if (key !== 'registry' && overridden(key, value)) {
      scan.settings.push({ setting: variable, value, origin: FROM_ENVIRONMENT, action: 'ignore' });
    }
  }

  // the project's own dependencies and lockfile
  if (command !== null && PROJECT_COMMANDS.has(command)) {
    scanProject(
      scan,
      prefix,
      display,
      operands.length === 0 && (command === 'install' || command === 'install-test' || command === 'install-ci-test'),
    );
  }

  return {
    label: input.npx ? 'npx' : `npm ${command ?? word}`.trim(),
    settings: scan.settings,
    packages: scan.packages,
    environment: (firewall) => npmEnvironment(env, firewall, scopes, projectRegistryTrusted),
  };
}

/** Registry, cache and proxy options on the command line; true when a --registry given there is trusted. */
function commandLineSettings(scan: Scan, options: readonly ScannedOption[]): boolean {
  let trustedRegistry = false;
  for (const option of options) {
    if (option.name === null) continue;
    if (option.name === '--registry' || scopeOfRegistryOption(option.name)) {
      addSource(scan, { setting: option.written, value: option.value ?? '', origin: FROM_COMMAND_LINE, action: 'refuse', why: CLI_WHY });
      if (option.name === '--registry' && option.value && isTrusted(option.value, scan.trusted)) trustedRegistry = true;
    } else if (option.name === '--replace-registry-host' && option.value !== 'always') {
      scan.settings.push({
        setting: option.written,
        value: option.value ?? '',
        origin: FROM_COMMAND_LINE,
        action: 'refuse',
        why: HOST_WHY,
      });
    } else if (Object.hasOwn(REFUSED_OPTIONS, option.name)) {
      scan.settings.push({
        setting: option.written,
        value: option.value ?? '',
        origin: FROM_COMMAND_LINE,
        action: 'refuse',
        why: REFUSED_OPTIONS[option.name]!,
      });
    } else if (option.name === '--package' && option.value) {
      addSpec(scan, option.value, FROM_COMMAND_LINE);
    }
  }
  return trustedRegistry;
}

/** A setting from a file or variable that the shim's own values replace (worth a notice). */
function overridden(key: string, value: string): boolean {
  if (key === 'replace-registry-host') return value !== 'always';
  return key === 'cache' || key === 'proxy' || key === 'https-proxy' || key === 'noproxy';
}

/**
 * npm's environment under the shim: every npm_config_* spelling of an owned key or an untrusted
 * scope registry removed, then depfence's values set (npm reads the environment after every
 * .npmrc, and skips empty values, so each is set, never blanked).
 */
function npmEnvironment(
  env: NodeJS.ProcessEnv,
  firewall: FirewallEndpoint,
  scopes: ReadonlyMap<string, 'redirect' | 'trusted'>,
  projectRegistryTrusted: boolean,
): NodeJS.ProcessEnv {
  const registry = `${firewall.url}/`;
  const result: NodeJS.ProcessEnv = {};
  for (const [variable, value] of Object.entries(env)) {
    const key = npmEnvKey(variable);
    if (key !== null && OWNED_KEYS.has(key)) continue;
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
  result.npm_config_cache = join(firewall.dataDir, 'npm-cache');
  // npm sends nothing through a proxy for a host on its noproxy list
  result.npm_config_noproxy = new URL(registry).hostname;
  bypassProxyFor(result, firewall.url);
  return result;
}

/** The public registry under its usual names: the firewall proxies it, so pointing there is no bypass. */
function isPublicRegistry(url: string): boolean {
  return /^https?:\/\/registry\.(npmjs\.org|npmjs\.com|yarnpkg\.com)\/?$/.test(url.trim());
}

function addSpec(scan: Scan, text: string, origin: string): void {
  addTarget(scan, readNpmSpec(text, scan.cwd), 'package', origin);
}

/** A spec read from the command line, package.json or the lockfile: a registry package to check, or a refusal. */
function addTarget(scan: Scan, spec: NpmSpec, setting: string, origin: string): void {
  switch (spec.kind) {
    case 'registry':
      scan.packages.push({ ecosystem: 'npm', name: spec.name, version: spec.version, origin });
      return;
    case 'git':
      return addSource(scan, {
        setting: setting === 'package' ? 'git dependency' : setting,
        value: spec.url,
        origin,
        action: 'refuse',
        why: GIT_WHY,
      });
    case 'remote':
      return addSource(scan, {
        setting: setting === 'package' ? 'URL dependency' : setting,
        value: spec.url,
        origin,
        action: 'refuse',
        why: REMOTE_WHY,
      });
    case 'local':
    case 'invalid':
      return; // a local folder or tarball is the user's own; npm refuses an invalid spec itself
  }
}

/**
 * package.json: git and URL dependencies are refused; with `newOnly`, dependencies the lockfile
 * does not have yet (the change being installed) are checked first. The lockfile: every entry
 * that is not a registry tarball (git, remote URL) is refused.
 */
function scanProject(scan: Scan, prefix: string, display: (file: string) => string, newOnly: boolean): void {
  const manifestFile = join(prefix, 'package.json');
  const manifest = readInput(manifestFile, (text) => readPackageJson(text, manifestFile, prefix));
  if (!manifest) return;
  const lock = readLock(prefix);
  const locked = new Set(lock?.entries.map((entry) => entry.path));
  for (const { field, name, spec, line } of manifest.dependencies) {
    if (spec.kind === 'registry') {
      if (newOnly && field !== 'peerDependencies' && !locked.has(`node_modules/${name}`)) {
        scan.packages.push({ ecosystem: 'npm', name: spec.name, version: spec.version, origin: `${display(manifestFile)} ${field}` });
      }
    } else {
      addTarget(scan, spec, `${field}.${name}`, `${display(manifestFile)}:${line}`);
    }
  }
  // Registry and URL tarballs are fetched from the firewall (replace-registry-host=always); a git
  // entry would be cloned from its host.
  for (const entry of lock?.entries ?? []) {
    if (entry.resolved === null) continue;
    // The name does not change what kind of spec `resolved` is; a fixed valid one keeps an odd name from hiding a git URL.
    const spec = readNpmDependency('locked-entry', entry.resolved, prefix);
    if (spec.kind === 'git') addTarget(scan, spec, `lockfile ${entry.path}`, `${display(entry.file)}:${entry.line}`);
  }
}

/** A project file read by its reader; null when it is missing or not JSON (npm reports that itself). Entries npm would not read either are skipped. */
function readInput<T>(file: string, read: (text: string) => T): T | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return read(text);
  } catch (error) {
    if (error instanceof InputError) return null;
    throw error;
  }
}

function readLock(prefix: string): PackageLock | null {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = join(prefix, name);
    const lock = readInput(file, (text) => readPackageLock(text, file));
    if (lock) return lock;
  }
  return null;
}
