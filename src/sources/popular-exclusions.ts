// Names that the popularity snapshots list but that are squats themselves (npm `loadash`, PyPI
// `pyyml`): never a typosquat target, never exempt as "popular". One `ecosystem:name` a line,
// `#` comments (config/snapshots/popular-exclusions.txt).
import { DataFileError } from './data-file-error.js';
import { readFileSync } from 'node:fs';
import type { Ecosystem } from '../policy/types.js';
import { canonicalName } from '../names/index.js';
import { packageFile } from './package-root.js';

/** Canonical names per ecosystem. */
export type PopularExclusions = Record<Ecosystem, ReadonlySet<string>>;

export function defaultPopularExclusionsFile(): string {
  return packageFile('config', 'snapshots', 'popular-exclusions.txt');
}

export function loadPopularExclusions(file: string = defaultPopularExclusionsFile()): PopularExclusions {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw exclusionsError(file, 0, `cannot be read (${(err as Error).message}); reinstall depfence`);
  }
  return parsePopularExclusions(text, file);
}

export function parsePopularExclusions(text: string, file: string): PopularExclusions {
  const sets = { npm: new Set<string>(), pypi: new Set<string>() };
  text.split(/\r?\n/).forEach((raw, index) => {
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const match = /^(npm|pypi):(\S+)$/.exec(body);
    if (!match) throw exclusionsError(file, index + 1, `expected "npm:name" or "pypi:name", got ${JSON.stringify(body)}`);
    const ecosystem = match[1] as Ecosystem;
    sets[ecosystem].add(canonicalName(ecosystem, match[2]!));
  });
  return sets;
}

function exclusionsError(file: string, line: number, problem: string): DataFileError {
  const where = line > 0 ? `${file}:${line}` : file;
  return new DataFileError('EEXCLUSIONS', file, line, `popular-name exclusions ${where}: ${problem}`);
}
