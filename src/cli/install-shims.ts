// `depfence install-shims --dir DIR`: writes launchers for pip, pip3, npm, npx and uv, and the
// depfence command, into DIR (for CI images: put DIR first on PATH and every install goes through
// the firewall). A file in DIR that is not a depfence launcher is left alone unless --force.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../sources/package-root.js';
import { LAUNCHER_NAMES, launcherScript } from '../shims/launcher.js';
import { isShim } from '../shims/real-tool.js';
import { UsageError } from './usage-error.js';

export interface InstallShimsOptions {
  dir: string;
  force: boolean;
  /** node to bake in (default: the one running this command). */
  node?: string;
  /** --dir is relative to this. */
  cwd: string;
  /** The firewall's Hugging Face endpoint, for the HF_ENDPOINT line. */
  hubEndpoint: string;
}

export function installShims(options: InstallShimsOptions, out: (text: string) => void): number {
  const dir = resolve(options.cwd, options.dir);
  mkdirSync(dir, { recursive: true });
  const root = packageRoot();
  const blocked = LAUNCHER_NAMES.filter((tool) => existsSync(join(dir, tool)) && !isShim(join(dir, tool)));
  if (blocked.length > 0 && !options.force) {
    throw new UsageError(
      `${blocked.map((tool) => join(dir, tool)).join(', ')} already exist${blocked.length === 1 ? 's' : ''} and ${blocked.length === 1 ? 'is not a depfence shim' : 'are not depfence shims'}: choose another --dir, or --force to replace them`,
    );
  }
  for (const name of LAUNCHER_NAMES) {
    const file = join(dir, name);
    writeFileSync(file, launcherScript(name, root, options.node ?? process.execPath, dir));
    chmodSync(file, 0o755);
  }
  out(`wrote ${LAUNCHER_NAMES.join(', ')} to ${dir}`);
  out(`put it first on PATH, e.g. in a Dockerfile: ENV PATH="${dir}:$PATH"`);
  out(
    `and send Hugging Face downloads through the firewall: ENV HF_ENDPOINT=${options.hubEndpoint} HF_HUB_ENABLE_HF_TRANSFER=0 HF_HUB_DISABLE_XET=1`,
  );
  return 0;
}
