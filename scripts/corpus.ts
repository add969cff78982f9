/**
 * corpus: fetches the full packuments of the most-downloaded npm packages into a local folder, so
 * that test/corpus can run every one through depfence's reader, version filter and decision.
 *
 *   npm run corpus -- [--dir DIR] [--limit N] [--concurrency N] [--deadline SECONDS] [--max-age HOURS]
 *
 *   --dir DIR          where to write NAME.json.gz files (default: .corpus/npm, or $DEPFENCE_CORPUS_DIR)
 *   --limit N          only the first N names of config/snapshots/npm-top-2000.txt (default: all)
 *   --concurrency N    requests in flight at once (default 12)
 *   --deadline S       stop starting new requests after S seconds (default 600); what was fetched stays
 *   --max-age H        a file fetched less than H hours ago is kept, not fetched again (default 24)
 *
 * The registry is upstreams.npm.registry of the configuration in effect (depfence.yaml, env).
 * Exits 0 when at least one packument is in the folder afterwards; 2 when the registry could not be
 * reached at all (the caller can then skip the corpus test).
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import { loadConfig } from '../src/config/index.js';
import { packageRoot } from '../src/sources/package-root.js';
import { npmPackumentUrl } from '../src/sources/npm-metadata.js';
import { corpusDir, corpusFile, readCorpusList } from '../test/corpus/corpus-files.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    limit: { type: 'string' },
    concurrency: { type: 'string', default: '12' },
    deadline: { type: 'string', default: '600' },
    'max-age': { type: 'string', default: '24' },
  },
});

const dir = values.dir ?? corpusDir();
const names = readCorpusList(join(packageRoot(), 'config', 'snapshots', 'npm-top-2000.txt')).slice(
  0,
  values.limit ? Number(values.limit) : undefined,
);
const registry = loadConfig({ env: process.env, cwd: process.cwd() }).config.upstreams.npm.registry;
const maxAgeMs = Number(values['max-age']) * 3_600_000;
const stopAt = Date.now() + Number(values.deadline) * 1000;
mkdirSync(dir, { recursive: true });

let fetched = 0;
let kept = 0;
let bytes = 0;
const failures: string[] = [];
const limit = pLimit(Number(values.concurrency));
const started = Date.now();

await Promise.all(names.map((name) => limit(() => fetchOne(name))));

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `corpus: ${fetched} fetched (${(bytes / 1e6).toFixed(0)} MB), ${kept} already fresh, ${failures.length} failed, in ${seconds}s → ${dir}`,
);
for (const failure of failures.slice(0, 20)) console.log(`  ${failure}`);
if (fetched + kept === 0) process.exit(2);

async function fetchOne(name: string): Promise<void> {
  const file = corpusFile(dir, name);
  if (isFresh(file)) {
    kept++;
    return;
  }
  if (Date.now() > stopAt) {
    failures.push(`${name}: not fetched (deadline passed)`);
    return;
  }
  try {
    const answer = await fetch(npmPackumentUrl(registry, name), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!answer.ok) {
      failures.push(`${name}: HTTP ${answer.status}`);
      return;
    }
    const body = Buffer.from(await answer.arrayBuffer());
    bytes += body.length;
    writeFileSync(`${file}.tmp`, gzipSync(body));
    renameSync(`${file}.tmp`, file);
    fetched++;
    if (fetched % 100 === 0) console.log(`corpus: ${fetched} fetched…`);
  } catch (error) {
    failures.push(`${name}: ${(error as Error).message}`);
  }
}

function isFresh(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < maxAgeMs;
  } catch {
    return false;
  }
}
