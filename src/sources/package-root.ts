// Where depfence's own files (config/, blocklists/) live: the folder holding its package.json.
// Found by walking up from this module, so it works from src/ under tsx and from dist/ after tsc.
import { DepfenceError } from '../errors.js';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The absolute path of the folder holding depfence's package.json. */
export function packageRoot(): string {
  cached ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

/** An absolute path inside the package root: packageFile('blocklists', 'npm-malicious.txt'). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) {
      throw new DepfenceError('ENOPACKAGEROOT', `no package.json found above ${start}`, {
        hint: "depfence's install looks incomplete (reinstall it)",
      });
    }
  }
}
