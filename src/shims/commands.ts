// Which invocations start the firewall before the tool runs. Every invocation runs with the
// firewall as its only source (session.ts); this only saves starting it for commands that fetch
// nothing: `pip list`, `npm run build`, `npm test`, `uv cache dir`… Anything not known to fetch
// nothing starts it: a new subcommand is safe by default, and a command wrongly thought harmless
// meets the firewall (or fails, if it is not running), never another source.
import { npmCommand, npmStartsFirewall } from './npm/commands.js';
import { NPM_OPTIONS } from './npm/options.js';
import { scanArgs } from '../inputs/options.js';
import { UV_GLOBAL_VALUE_OPTIONS } from './uv/options.js';
import type { ToolName } from './tools.js';

const PIP_LOCAL = new Set([
  'list',
  'show',
  'freeze',
  'check',
  'uninstall',
  'config',
  'cache',
  'hash',
  'completion',
  'debug',
  'help',
  'inspect',
]);
/** pip options that print and exit, or that mean nothing is fetched. */
const PIP_INFO = new Set(['--version', '-V', '--help', '-h']);
/** pip's general options that take a value (so the value is not the subcommand). */
const PIP_GENERAL_VALUES = new Set([
  '--log',
  '--log-file',
  '--local-log',
  '--proxy',
  '--retries',
  '--timeout',
  '--default-timeout',
  '--exists-action',
  '--trusted-host',
  '--cert',
  '--client-cert',
  '--cache-dir',
  '--python',
  '--use-feature',
  '--use-deprecated',
  '--keyring-provider',
  '--resume-retries',
]);

const NPM_INFO = new Set(['--version', '-v', '--help', '-h', '-?', '-H', '--usage', '-l']);

const UV_LOCAL = new Set(['help', 'self', 'cache', 'generate-shell-completion', 'python']);
const UV_INFO = new Set(['--version', '-V', '--help', '-h']);
const UV_PIP_LOCAL = new Set(['list', 'show', 'freeze', 'check', 'uninstall', 'tree']);
const UV_GLOBAL_VALUES = new Set([...UV_GLOBAL_VALUE_OPTIONS, '-p']);

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
  const [word, ...operands] = scanArgs(args, NPM_OPTIONS).positionals;
  if (word === undefined) return false; // `npm`, `npm -v`: usage or version only
  if (args.slice(0, args.indexOf(word)).some((arg) => NPM_INFO.has(arg))) return false;
  return npmStartsFirewall(npmCommand(word), operands);
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

/** True when this invocation may download packages, so the firewall is started before it runs. */
export function startsFirewall(tool: ToolName, args: readonly string[]): boolean {
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
