// npm's commands (npm 11's list, its aliases, and the unique abbreviations npm accepts, resolved
// the way npm resolves them) and what each means for the shim. Every npm command runs with the
// firewall as its only source; this table only says which ones start the firewall first, which
// name packages to pre-flight, and which install what the project's package.json and lockfile
// name. A command missing here (a future npm's) starts the firewall: unknown means "may fetch".
import { readNpmSpec } from '../../inputs/npm-spec.js';

const COMMANDS = [
  'access',
  'adduser',
  'approve-scripts',
  'audit',
  'bugs',
  'cache',
  'ci',
  'completion',
  'config',
  'dedupe',
  'deny-scripts',
  'deprecate',
  'diff',
  'dist-tag',
  'docs',
  'doctor',
  'edit',
  'exec',
  'explain',
  'explore',
  'find-dupes',
  'fund',
  'get',
  'help',
  'help-search',
  'init',
  'install',
  'install-ci-test',
  'install-scripts',
  'install-test',
  'link',
  'll',
  'login',
  'logout',
  'ls',
  'org',
  'outdated',
  'owner',
  'pack',
  'ping',
  'pkg',
  'prefix',
  'profile',
  'prune',
  'publish',
  'query',
  'rebuild',
  'repo',
  'restart',
  'root',
  'run',
  'sbom',
  'search',
  'set',
  'shrinkwrap',
  'stage',
  'star',
  'stars',
  'start',
  'stop',
  'team',
  'test',
  'token',
  'trust',
  'undeprecate',
  'uninstall',
  'unpublish',
  'unstar',
  'update',
  'version',
  'view',
  'whoami',
];

const ALIASES: Record<string, string> = {
  author: 'owner',
  home: 'docs',
  issues: 'bugs',
  info: 'view',
  show: 'view',
  find: 'search',
  add: 'install',
  unlink: 'uninstall',
  remove: 'uninstall',
  rm: 'uninstall',
  r: 'uninstall',
  un: 'uninstall',
  rb: 'rebuild',
  list: 'ls',
  ln: 'link',
  create: 'init',
  i: 'install',
  it: 'install-test',
  cit: 'install-ci-test',
  u: 'update',
  up: 'update',
  c: 'config',
  s: 'search',
  se: 'search',
  tst: 'test',
  t: 'test',
  ddp: 'dedupe',
  v: 'view',
  'run-script': 'run',
  'clean-install': 'ci',
  'clean-install-test': 'install-ci-test',
  x: 'exec',
  why: 'explain',
  la: 'll',
  verison: 'version',
  ic: 'ci',
  innit: 'init',
  in: 'install',
  ins: 'install',
  inst: 'install',
  insta: 'install',
  instal: 'install',
  isnt: 'install',
  isnta: 'install',
  isntal: 'install',
  isntall: 'install',
  'install-clean': 'ci',
  'isntall-clean': 'ci',
  hlep: 'help',
  'dist-tags': 'dist-tag',
  upgrade: 'update',
  udpate: 'update',
  rum: 'run',
  sit: 'install-ci-test',
  urn: 'run',
  ogr: 'org',
  'add-user': 'adduser',
};

/** Every npm command word, for tests and messages. */
export const NPM_COMMANDS: readonly string[] = COMMANDS;

/** Unique prefixes of the command words and aliases (npm's `abbrev`), each to its word. */
const ABBREVIATIONS = (() => {
  const words = [...COMMANDS, ...Object.keys(ALIASES)].sort();
  const result = new Map<string, string>();
  for (const word of words) {
    for (let length = 1; length <= word.length; length++) {
      const prefix = word.slice(0, length);
      const sharing = words.filter((other) => other.startsWith(prefix));
      if (sharing.length === 1 || prefix === word) result.set(prefix, word);
    }
  }
  return result;
})();

/** The command npm runs for `word` (`i` → install, `unin` → uninstall, `installTest` → install-test), or null when npm knows none. */
export function npmCommand(word: string): string | null {
  const written = /[A-Z]/.test(word) ? word.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) : word;
  if (COMMANDS.includes(written)) return written;
  if (Object.hasOwn(ALIASES, written)) return ALIASES[written]!;
  let resolved = ABBREVIATIONS.get(written);
  while (resolved !== undefined && Object.hasOwn(ALIASES, resolved)) resolved = ALIASES[resolved];
  return resolved ?? null;
}

/** Commands that fetch nothing from a registry: run without starting the firewall (but still with it as their only source). */
const NEVER_FETCH = new Set([
  'run',
  'test',
  'start',
  'stop',
  'restart',
  'help',
  'help-search',
  'version',
  'config',
  'get',
  'set',
  'prefix',
  'root',
  'ls',
  'll',
  'explain',
  'completion',
  'edit',
  'explore',
  'pkg',
  'query',
  'sbom',
  'fund',
  'shrinkwrap',
  'rebuild',
  'approve-scripts',
  'deny-scripts',
  'install-scripts',
]);

/** Install what package.json and the lockfile name: the project's own git/URL/file dependencies are refused first. */
export const PROJECT_COMMANDS = new Set([
  'install',
  'install-test',
  'install-ci-test',
  'ci',
  'update',
  'dedupe',
  'find-dupes',
  'prune',
  'uninstall',
  'link',
]);
/** Of those, the ones whose operands are package specs to install. */
export const INSTALL_OPERANDS = new Set(['install', 'install-test', 'install-ci-test', 'update', 'link']);

/** Does `command` (with these operands) start the firewall before npm runs? */
export function npmStartsFirewall(command: string | null, operands: readonly string[]): boolean {
  if (command === null) return true;
  if (command === 'init' || command === 'pack') return operands.length > 0; // `npm init <x>` runs create-<x>; `npm pack <x>` fetches x
  if (command === 'cache') return operands[0] === 'add';
  return !NEVER_FETCH.has(command);
}

/**
 * The spec of the package an initializer names, as npm's `init`/`create` maps it: `foo` →
 * `create-foo`, `@s` → `@s/create`, `@s/foo@1` → `@s/create-foo@1`. A git, URL or path
 * initializer is returned as it is (and judged as such).
 */
export function initializerSpec(initializer: string): string {
  const scopeOnly = /^(@[^/@]+)(?:@(.+))?$/.exec(initializer);
  if (scopeOnly) return `${scopeOnly[1]}/create${scopeOnly[2] ? `@${scopeOnly[2]}` : ''}`;
  const spec = readNpmSpec(initializer);
  if (spec.kind !== 'registry') return initializer;
  return `${spec.name.replace(/^(@[^/]+\/)?/, '$1create-')}@${spec.range}`;
}
