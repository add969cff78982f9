// Where the real-data corpus lives and how its files are named (shared by `npm run corpus` and the
// corpus test): one gzipped full packument per package, `@scope/name` written as `@scope+name`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/sources/package-root.js';

export function corpusDir(): string {
  return process.env.DEPFENCE_CORPUS_DIR ?? join(packageRoot(), '.corpus', 'npm');
}

export function corpusFile(dir: string, name: string): string {
  return join(dir, `${name.replace('/', '+')}.json.gz`);
}

/** Names from a list file: one a line, `#` comments and blank lines ignored. */
export function readCorpusList(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}
