// `depfence models lock --out models.lock REPO[@REVISION]…`: pins Hugging Face repos to the commit
// their revision names now, with every file's size and hash (LFS sha256, or git blob id). Each repo
// must pass the model policy first; a repo already in the file is replaced, the others are kept.
// With `policy.models.lock: models.lock`, the firewall then serves only those commits and files.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { parseRepoSpec } from '../protocol/huggingface/repo-id.js';
import { decideRepo } from '../sources/model-decide.js';
import { createDecider } from '../sources/decide.js';
import { modelPolicyContext } from '../sources/model-policy.js';
import { lockEntryOf, readLockDocument, writeModelLock, type LockDocument } from '../sources/model-lock.js';
import { formatDecision } from '../policy/decision-text.js';
import { EXIT } from '../policy/exit-codes.js';
import { UsageError } from './usage-error.js';

export interface LockOptions {
  out: string;
  cwd: string;
}

export async function runModelsLock(
  repoTexts: string[],
  options: LockOptions,
  config: Config,
  out: (text: string) => void,
): Promise<number> {
  if (config.offline)
    throw new UsageError(
      'models lock reads the Hub, which offline mode does not ask; run it where the Hub (upstreams.huggingface.endpoint) is reachable',
    );
  const specs = repoTexts.map((text) => {
    const spec = parseRepoSpec(text.replace(/^hf:/, ''));
    if (typeof spec === 'string') throw new UsageError(`"${text}" is not a Hugging Face repo: write ORG/NAME[@REVISION] (${spec})`);
    return spec;
  });
  if (specs.length === 0) throw new UsageError('name the repos to lock: depfence models lock --out models.lock ORG/NAME[@REVISION]…');
  const file = resolve(options.cwd, options.out);
  // The lock being written does not judge its own contents.
  const policy = {
    ...modelPolicyContext({ ...config, policy: { ...config.policy, models: { ...config.policy.models, lock: null } } }),
    lock: null,
  };
  const http = createDecider(config).http;
  const entries: LockDocument['repos'] = [];
  let failed: number = EXIT.ok;
  for (const spec of specs) {
    const { decision, lookup } = await decideRepo(http, config, policy, spec);
    if (decision.decision === 'deny' || lookup?.kind !== 'found') {
      out(formatDecision(decision));
      failed = lookup?.kind === 'unavailable' ? EXIT.factsUnavailable : EXIT.denied;
      continue;
    }
    const entry = lockEntryOf(spec.kind, spec.id, lookup.facts.info.value);
    const unverifiable = entry.files.filter((item) => !item.sha256 && !item.gitBlob);
    if (unverifiable.length > 0) {
      out(`${spec.id}: the Hub lists ${unverifiable.map((item) => item.path).join(', ')} without a hash, so the repo cannot be locked`);
      failed = EXIT.denied;
      continue;
    }
    entries.push(entry);
    out(
      `locked ${decision.name} at ${entry.commit} (${entry.files.length} file${entry.files.length === 1 ? '' : 's'})${decision.decision === 'warn' ? ' (with warnings: see depfence check)' : ''}`,
    );
  }
  if (failed !== EXIT.ok) {
    out(`nothing written to ${file}: fix or drop the repos above first`);
    return failed;
  }
  const kept = existsSync(file)
    ? readLockDocument(file).repos.filter(
        (repo) => !entries.some((entry) => entry.kind === repo.kind && entry.id.toLowerCase() === repo.id.toLowerCase()),
      )
    : [];
  writeModelLock(file, [...kept, ...entries]);
  out(
    `wrote ${file}: ${kept.length + entries.length} repo${kept.length + entries.length === 1 ? '' : 's'}; set policy.models.lock: ${options.out} to serve only these`,
  );
  return EXIT.ok;
}
