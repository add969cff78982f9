// Which invocations fetch packages (and so go through the firewall) and which pass straight
// through: `pip --version`, `pip list`, `npm run build`, `npm test`, `uv --version`… start nothing.
// Anything not known to be harmless goes through the firewall: a new subcommand is safe by default.
import type { ToolName } from './tools.js';

const PIP_LOCAL = new Set(['list', 'show', 'freeze', 'check', 'uninstall', 'config', 'cache', 'hash', 'completion', 'debug', 'help', 'inspect']);
/** pip options that print and exit, or that mean nothing is fetched. */
const PIP_INFO = new Set(['--version', '-V', '--help', '-h']);
/** pip's general options that take a value (so the value is not the subcommand). */
const PIP_GENERAL_VALUES = new Set(['--log', '--log-file', '--local-log', '--proxy', '--retries', '--timeout', '--default-timeout', '--exists-action', '--trusted-host', '--cert', '--client-cert', '--cache-dir', '--python', '--use-feature', '--use-deprecated', '--keyring-provider', '--resume-retries']);

const NPM_LOCAL = new Set([
  'run', 'run-script', 'rum', 'urn', 'test', 'tst', 't', 'start', 'stop', 'restart', 'version', 'verison', 'help', 'hlep', 'help-search',
  'config', 'c', 'get', 'set', 'prefix', 'root', 'bin', 'ls', 'list', 'll', 'la', 'explain', 'why', 'login', 'logout', 'adduser', 'add-user',
  'whoami', 'publish', 'unpublish', 'deprecate', 'undeprecate', 'dist-tag', 'dist-tags', 'owner', 'author', 'access', 'token', 'team', 'org', 'ogr',
  'profile', 'fund', 'docs', 'home', 'bugs', 'issues', 'repo', 'completion', 'edit', 'explore', 'pkg', 'set-script', 'prune', 'find-dupes',
  'query', 'sbom', 'star', 'unstar', 'stars', 'search', 's', 'se', 'find', 'ping', 'doctor', 'init', 'create', 'innit', 'link', 'ln', 'unlink',
  'uninstall', 'remove', 'rm', 'r', 'un', 'rebuild', 'rb', 'shrinkwrap', 'pack', 'cache', 'trust', 'approve-scripts', 'deny-scripts', 'install-scripts', 'stage',
]);
const NPM_INFO = new Set(['--version', '-v', '--help', '-h', '-?', '-H', '--usage', '-l']);
/** npm options that take a value before the command (`npm --prefix dir run build`). */
const NPM_VALUE_BEFORE_COMMAND = new Set(['--prefix', '-C', '--workspace', '-w', '--loglevel', '--userconfig', '--globalconfig', '--cache', '--location', '-L', '--registry', '--reg', '--tag', '--omit', '--include']);

const UV_LOCAL = new Set(['help', 'self', 'cache', 'generate-shell-completion', 'python']);
const UV_INFO = new Set(['--version', '-V', '--help', '-h']);
const UV_PIP_LOCAL = new Set(['list', 'show', 'freeze', 'check', 'uninstall', 'tree']);
const UV_GLOBAL_VALUES = new Set(['--directory', '--project', '--config-file', '--cache-dir', '--color', '--python-preference', '--allow-insecure-host', '--trusted-host', '--python', '-p']);

/** The first argument that is not an option (or the value of one), and its index; -1 when none. */
export function firstPositional(args: readonly string[], valueOptions: ReadonlySet<string>): number {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return index + 1 < args.length ? index + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return index;
    if (!arg.includes('=') && valueOptions.has(arg)) index++;
  }
  return -1;
}

function pipFetches(args: readonly string[]): boolean {
  const at = firstPositional(args, PIP_GENERAL_VALUES);
  if (at === -1) return false; // `pip`, `pip --version`, `pip -h`: usage or version only
  if (args.slice(0, at).some((arg) => PIP_INFO.has(arg))) return false;
  const command = args[at]!;
  // `pip list --outdated` / `--uptodate` (or an abbreviation, or -o/-u in a cluster) asks the index
  if (command === 'list') return args.slice(at + 1).some((arg) => /^--(ou|up)/.test(arg) || /^-[a-zA-Z]*[ou]/.test(arg));
  return !PIP_LOCAL.has(command);
}

function npmFetches(args: readonly string[]): boolean {
  const at = firstPositional(args, NPM_VALUE_BEFORE_COMMAND);
  if (at === -1) return false; // `npm`, `npm -v`: usage or version only
  if (args.slice(0, at).some((arg) => NPM_INFO.has(arg))) return false;
  return !NPM_LOCAL.has(args[at]!);
}

function npxFetches(args: readonly string[]): boolean {
  return !(args.length === 0 || (args.length === 1 && NPM_INFO.has(args[0]!)));
}

function uvFetches(args: readonly string[]): boolean {
  const at = firstPositional(args, UV_GLOBAL_VALUES);
  if (at === -1) return false;
  if (args.slice(0, at).some((arg) => UV_INFO.has(arg))) return false;
  const command = args[at]!;
  if (command === 'pip') {
    const next = args.slice(at + 1);
    const sub = next[firstPositional(next, UV_GLOBAL_VALUES)];
    if (sub === undefined) return false;
    return !UV_PIP_LOCAL.has(sub) || next.includes('--outdated');
  }
  return !UV_LOCAL.has(command);
}

/** True when this invocation may download packages, so it must go through the firewall. */
export function fetchesPackages(tool: ToolName, args: readonly string[]): boolean {
  switch (tool) {
    case 'pip':
    case 'pip3':
      return pipFetches(args);
    case 'npm':
      return npmFetches(args);
    case 'npx':
      return npxFetches(args);
    case 'uv':
      return uvFetches(args);
  }
}
