// The bundled list of popular Hugging Face repos (config/snapshots/hf-popular.txt, built by
// `npm run snapshots`), and the look-alike matcher over their organisations. The typosquat
// matcher's rules apply to organisation names as to package names (`meta-1lama`: a digit for a
// look-alike letter; `openai-communty`: a letter left out), compared case-insensitively.
import { readFileSync } from 'node:fs';
import { createTyposquatMatcher } from '../names/index.js';
import type { LookalikeMatcher } from '../policy/models/index.js';
import { packageFile } from './package-root.js';

export function defaultHfPopularFile(): string {
  return packageFile('config', 'snapshots', 'hf-popular.txt');
}

/** The repo ids the file lists (`org/name` a line, `#` comments). */
export function readHfPopular(file: string = defaultHfPopularFile()): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

let cached: LookalikeMatcher | undefined;

export function hfLookalikeMatcher(): LookalikeMatcher {
  if (cached) return cached;
  const repos = readHfPopular();
  const counts = new Map<string, number>();
  for (const id of repos) {
    const org = id.split('/')[0]!;
    counts.set(org, (counts.get(org) ?? 0) + 1);
  }
  // Organisations are ranked by how many of the listed repos they hold: the matcher prefers the better-known target.
  const matcher = createTyposquatMatcher(
    'pypi',
    [...counts].map(([name, downloads]) => ({ name, downloads })),
  );
  cached = {
    matchOrganisation(org) {
      const match = matcher.match(org);
      return match ? { target: match.target, detail: match.detail } : null;
    },
  };
  return cached;
}
