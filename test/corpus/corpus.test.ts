// Every packument in the real-data corpus (`npm run corpus`) through what depfence does with one:
// the reader, the publish times, the server's version filter, and the package-level decision with
// the bundled policy data (downloads from the snapshot, as when the downloads API is unreachable).
// Fails on any document or version depfence "cannot read"; prints the denials it found, with their
// reasons. Skipped, saying why, when the corpus folder is empty.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalNpmName } from '../../src/names/index.js';
import { evaluate, type Decision } from '../../src/policy/index.js';
import { readPackument } from '../../src/protocol/npm/packument.js';
import { VerdictBook } from '../../src/server/npm/filter/verdict-book.js';
import { filterPackument } from '../../src/server/npm/filter/version-filter.js';
import { snapshotFallbackDownloads } from '../../src/sources/facts.js';
import { npmPublishTimes } from '../../src/sources/npm-metadata.js';
import { loadPolicyData } from '../../src/sources/policy-context.js';
import { defaultConfig } from '../helpers/policy.js';
import { corpusDir } from './corpus-files.js';

const dir = corpusDir();
const files = listCorpus(dir);

function listCorpus(folder: string): string[] {
  try {
    return readdirSync(folder).filter((file) => file.endsWith('.json.gz'));
  } catch {
    return [];
  }
}

if (files.length === 0) {
  console.log(`  skipping the corpus test: no packuments in ${dir} (run \`npm run corpus\` to fetch them)`);
  test.skip('every corpus packument is read, filtered and decided', () => {});
} else {
  test(`every corpus packument (${files.length}) is read, filtered and decided`, () => {
    const config = defaultConfig();
    const { context, snapshots } = loadPolicyData(config);
    const now = new Date();
    const unreadable: string[] = [];
    const denied: Decision[] = [];
    let hiddenVersions = 0;
    for (const file of files) {
      const document: unknown = JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString('utf8'));
      let read;
      try {
        read = readPackument(document);
      } catch (error) {
        unreadable.push(`${file}: ${(error as Error).message}`);
        continue;
      }
      const { packument, unreadableVersions } = read;
      for (const [version, why] of Object.entries(unreadableVersions)) unreadable.push(`${packument.name}@${version}: ${why}`);
      const book = new VerdictBook();
      filterPackument(document, { context, now: () => now, enforce: true, book, warn: (message) => unreadable.push(message) });
      const record = book.get(packument.name);
      if (record?.failure) unreadable.push(`${packument.name}: ${record.failure}`);
      hiddenVersions += [...(record?.versions.values() ?? [])].filter((version) => version.hiddenBy.length > 0).length;
      const canonicalName = canonicalNpmName(packument.name);
      const source = 'corpus packument';
      const decision = evaluate(
        {
          ecosystem: 'npm',
          name: packument.name,
          canonicalName,
          version: null,
          exists: { state: 'known', value: true, source },
          publishTimes: { state: 'known', value: npmPublishTimes(packument, unreadableVersions), source },
          downloads: snapshotFallbackDownloads(canonicalName, snapshots.npm, 'npm downloads API', 'not asked by the corpus test'),
        },
        context,
        { now },
      );
      for (const finding of decision.findings)
        if (/cannot (be )?read/.test(finding.message)) unreadable.push(`${packument.name}: ${finding.message}`);
      if (decision.decision === 'deny') denied.push(decision);
    }
    console.log(`  corpus: ${files.length} packuments, ${hiddenVersions} versions hidden by the filter, ${denied.length} packages denied`);
    for (const decision of denied) {
      const reasons = decision.findings
        .filter((finding) => finding.severity === 'deny')
        .map((finding) => `${finding.check}: ${finding.message}`);
      console.log(`    deny ${decision.name}: ${reasons.join('; ')}`);
    }
    assert.equal(
      unreadable,
      [],
      `depfence could not read ${unreadable.length} documents or versions:\n${unreadable.slice(0, 30).join('\n')}`,
    );
  });
}

test.run();
