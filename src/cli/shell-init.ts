// `depfence shell-init [bash|zsh|fish]`: the lines that put depfence's shims first on PATH, plus
// `python`/`python3` functions that send `python -m pip` through the pip shim.
//   eval "$(depfence shell-init bash)"      (bash, zsh)
//   depfence shell-init fish | source       (fish)
import { basename } from 'node:path';
import { quote, shimsDir } from '../shims/launcher.js';
import { UsageError } from './usage-error.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function detectShell(env: NodeJS.ProcessEnv): Shell {
  const name = basename(env.SHELL ?? '');
  return (SHELLS as readonly string[]).includes(name) ? (name as Shell) : 'bash';
}

export function shellInit(shell: string | undefined, env: NodeJS.ProcessEnv, dir = shimsDir()): string {
  const chosen = shell ?? detectShell(env);
  if (!(SHELLS as readonly string[]).includes(chosen)) throw new UsageError(`shell-init knows ${SHELLS.join(', ')}, not "${chosen}"`);
  return chosen === 'fish' ? fish(dir) : posix(dir, chosen as Shell);
}

function posix(dir: string, shell: Shell): string {
  const pip = quote(`${dir}/pip`);
  const python = (name: string) =>
    `${name}() { if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then shift 2; DEPFENCE_SHIM_PYTHON="$(command -v ${name})" ${pip} "$@"; else command ${name} "$@"; fi; }`;
  return [
    `# depfence: pip, npm, npx and uv through the firewall (add to ~/.${shell}rc: eval "$(depfence shell-init ${shell})")`,
    `case ":$PATH:" in ${quote(`:${dir}:`)}*) ;; *) export PATH=${quote(dir)}":$PATH" ;; esac`,
    python('python'),
    python('python3'),
    'hash -r 2>/dev/null || true',
    '',
  ].join('\n');
}

function fish(dir: string): string {
  const python = (name: string) =>
    `function ${name} --wraps ${name}; if test (count $argv) -ge 2; and test "$argv[1]" = -m; and test "$argv[2]" = pip; env DEPFENCE_SHIM_PYTHON=(command -v ${name}) ${quote(`${dir}/pip`)} $argv[3..-1]; else; command ${name} $argv; end; end`;
  return [
    '# depfence: pip, npm, npx and uv through the firewall (add to ~/.config/fish/config.fish: depfence shell-init fish | source)',
    `if test "$PATH[1]" != ${quote(dir)}; set -gx PATH ${quote(dir)} $PATH; end`,
    python('python'),
    python('python3'),
    '',
  ].join('\n');
}
