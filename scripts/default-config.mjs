// Writes config/default.yaml's values, with the sha256 of its text, to dist/config/default.json for
// the configuration loader (see src/config/built-defaults.ts for when it uses them).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';

const text = readFileSync(new URL('../config/default.yaml', import.meta.url), 'utf8');
const values = parse(text);
if (!isDeepStrictEqual(JSON.parse(JSON.stringify(values)), values)) {
  throw new Error('config/default.yaml holds a value JSON cannot carry (a date, say): the build cannot write dist/config/default.json');
}
const sha256 = createHash('sha256').update(text).digest('hex');
writeFileSync(new URL('../dist/config/default.json', import.meta.url), `${JSON.stringify({ sha256, values })}\n`);
