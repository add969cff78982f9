// `depfence update [--from DIR_OR_URL] [--json]`: rebuild the OSV threat-data index in the data
// dir from the feed (feeds.osv.url) or a folder laid out like it. The old index stays in force
// unless the new one was built completely.
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { isDepfenceError } from '../errors.js';
import type { UpdateResult } from '../sources/osv/update.js';
import { runThreatDataUpdate } from '../sources/osv/update-thread.js';
import type { IndexMeta } from '../sources/osv/index-file.js';
import { formatBytes } from '../mirror/list.js';
import { EXIT } from '../policy/exit-codes.js';
import { inCommand } from './command-error.js';

/** Warnings about single records shown in full; the rest are counted. */
const WARNINGS_SHOWN = 20;

export interface UpdateCommandOptions {
  from?: string;
  json: boolean;
  cwd: string;
}

export interface UpdateIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runUpdate(config: Config, options: UpdateCommandOptions, io: UpdateIo): Promise<number> {
  const from =
    options.from === undefined
      ? config.feeds.osv.url
      : /^https?:\/\//i.test(options.from)
        ? options.from
        : resolve(options.cwd, options.from);
  let shown = 0;
  try {
    const result = await runThreatDataUpdate(config, from, {
      warn: (message) => {
        if (shown++ < WARNINGS_SHOWN) io.err(`depfence: warning: ${message}`);
      },
      progress: (message) => io.err(`depfence: ${message}`),
    });
    if (shown > WARNINGS_SHOWN) io.err(`depfence: … and ${shown - WARNINGS_SHOWN} more warnings`);
    io.out(
      options.json
        ? JSON.stringify({
            ok: true,
            rebuilt: result.rebuilt,
            file: result.file,
            bytes: result.bytes,
            warnings: result.warnings,
            index: result.meta,
          })
        : describeUpdate(result),
    );
    return EXIT.ok;
  } catch (error) {
    if (!isDepfenceError(error)) throw error;
    const leftAsItWas = 'the threat-data index in force was left as it was';
    if (options.json) io.out(JSON.stringify({ ok: false, error: `${error.message}; ${leftAsItWas}` }));
    throw inCommand(error, 'update failed: ', leftAsItWas);
  }
}

function describeUpdate(result: UpdateResult): string {
  if (!result.rebuilt)
    return `the OSV feed has not changed since the index was built (${result.meta.builtAt}); ${result.file} is marked as checked now`;
  return [
    `wrote ${result.file} (${formatBytes(result.bytes)}):`,
    ...feedLines(result.meta),
    ...(result.warnings > 0 ? [`${result.warnings} record(s) or parts skipped with a warning (see above)`] : []),
  ].join('\n');
}

export function feedLines(meta: IndexMeta): string[] {
  return (['npm', 'pypi'] as const).map((ecosystem) => {
    const { source, counts } = meta.feeds[ecosystem];
    return `  ${ecosystem}: ${counts.malicious} malicious-package and ${counts.vulnerabilities} vulnerability records for ${counts.packages} packages (${counts.withdrawn} withdrawn, ${counts.malformed} unreadable) from ${source}`;
  });
}
