// `depfence shell-init [bash|zsh|fish]`: the lines that put depfence's shims first on PATH, plus
// `python`/`python3` functions that send `python -m pip` through the pip shim. They are written by
// shims/shell-init.sh, which the depfence launcher runs without starting Node (shell-init runs in
// every new shell); this command runs the same script.
import { spawnSync } from 'node:child_process';
import { packageFile } from '../sources/package-root.js';
import { shimsDir } from '../shims/launcher.js';
import { UsageError } from './usage-error.js';

export function shellInit(shell: string | undefined, env: NodeJS.ProcessEnv, dir = shimsDir()): string {
  const script = packageFile('shims', 'shell-init.sh');
  const result = spawnSync('sh', [script, ...(shell === undefined ? [] : [shell])], {
    env: {
      PATH: env.PATH ?? process.env.PATH,
      SHELL: env.SHELL ?? '',
      DEPFENCE_SHIMS_DIR: dir,
      ...(env.DEPFENCE_SERVER__HOST && { DEPFENCE_SERVER__HOST: env.DEPFENCE_SERVER__HOST }),
      ...(env.DEPFENCE_SERVER__PORT && { DEPFENCE_SERVER__PORT: env.DEPFENCE_SERVER__PORT }),
    },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status === 2) throw new UsageError(result.stderr.trim().replace(/^depfence: /, ''));
  if (result.status !== 0) throw new Error(`${script} failed (${result.status ?? result.signal}): ${result.stderr.trim()}`);
  return result.stdout;
}
