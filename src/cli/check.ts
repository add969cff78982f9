// `depfence check [--json] [--offline] [--suggest] [--config F] [--file PATH]… SPEC…`: the policy's verdict on
// packages, before anything is installed.
import { resolve } from 'node:path';
import { formatAge, type Config } from '../config/index.js';
import { deniedOnlyForMissingFacts, suggestNames, type Decision, type DecisionEcosystem } from '../policy/index.js';
import { parseRepoSpec, type RepoSpec } from '../protocol/huggingface/repo-id.js';
import { decideRepo } from '../sources/model-decide.js';
import { modelPolicyContext } from '../sources/model-policy.js';
import { createDecider } from '../sources/decide.js';
import { freshness, type Freshness } from '../sources/osv/threat-data.js';
import { formatDecision } from '../policy/decision-text.js';
import { threatDataFor } from './threat-data.js';
import { EXIT } from '../policy/exit-codes.js';
import { parseSpec, specsFromFile, type PackageSpec } from './specs.js';
import { UsageError } from './usage-error.js';
import type { Progress } from '../mirror/progress.js';

export interface CheckOptions {
  json: boolean;
  /** Also list the popular names each package resembles (`--suggest`). */
  suggest?: boolean;
  /** A progress bar on standard error (a terminal, and more than a handful of packages). */
  progress?: Progress;
  files: string[];
  /** Relative --file paths are read from here. */
  cwd: string;
  readStdin: () => string;
}

export async function runCheck(specTexts: string[], options: CheckOptions, config: Config, out: (text: string) => void): Promise<number> {
  const repoSpecs = specTexts.filter(isHubSpec).map(parseHubSpec);
  const specs: PackageSpec[] = [
    ...specTexts.filter((text) => !isHubSpec(text)).map((text) => parseSpec(text)),
    ...options.files.flatMap((file) => specsFromFile(file === '-' ? file : resolve(options.cwd, file), options.readStdin)),
  ];
  if (specs.length === 0 && repoSpecs.length === 0)
    throw new UsageError(
      'nothing to check: name packages (npm:NAME[@VERSION], pypi:NAME[==VERSION], hf:ORG/NAME[@REVISION]) or give --file PATH',
    );
  const decider = createDecider(config, { threatData: threatDataFor(config) });
  const wanted = unique(specs);
  const progress = wanted.length > PROGRESS_FROM ? options.progress : undefined;
  progress?.start(wanted.length, 'checking');
  // The HTTP client bounds concurrency (network.concurrency) and shares one fetch per packument
  // across the versions of a package; the downloads breaker keeps a dead API from costing a
  // timeout per package.
  const packageDecisions = await Promise.all(
    wanted.map(async (spec) => {
      const decision = await decider.decide(spec);
      progress?.tick(`${spec.name}${spec.version === null ? '' : ` ${spec.version}`}`);
      return decision;
    }),
  );
  progress?.stop();
  const policy = repoSpecs.length > 0 ? modelPolicyContext(config) : null;
  const repoDecisions = await Promise.all(repoSpecs.map(async (spec) => (await decideRepo(decider.http, config, policy!, spec)).decision));
  const decisions: Decision<DecisionEcosystem>[] = [...packageDecisions, ...repoDecisions];
  const suggestions = options.suggest
    ? [...packageDecisions.map((decision) => suggestNames(decision, decider.context)), ...repoDecisions.map((): string[] => [])]
    : null;
  const threatData = freshness(decider.threatData.status(), new Date(), config.feeds.osv.maxAge, formatAge);
  if (options.json) {
    out(
      JSON.stringify({
        results: suggestions ? decisions.map((decision, i) => ({ ...decision, suggestions: suggestions[i] })) : decisions,
        threatData,
      }),
    );
  } else {
    out(formatReport(decisions, config, suggestions, threatData));
  }
  return exitCodeFor(decisions, config);
}

const PROGRESS_FROM = 20;

function unique(specs: PackageSpec[]): PackageSpec[] {
  const seen = new Set<string>();
  return specs.filter((spec) => {
    const key = `${spec.ecosystem}:${spec.name.toLowerCase()}@${spec.version ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function formatReport(
  decisions: Decision<DecisionEcosystem>[],
  config: Config,
  suggestions: string[][] | null,
  threatData: Freshness,
): string {
  const lines = decisions.map((decision, i) => {
    if (!suggestions) return formatDecision(decision);
    const names = suggestions[i]!;
    return `${formatDecision(decision)}\n       ${names.length === 0 ? 'resembles no popular name' : `resembles ${names.join(', ')}`}`;
  });
  const denied = decisions.filter((decision) => decision.decision === 'deny').length;
  const warned = decisions.filter((decision) => decision.decision === 'warn').length;
  lines.push('', `${decisions.length} checked: ${denied} denied, ${warned} warned, ${decisions.length - denied - warned} allowed`);
  if (config.offline)
    lines.push('offline: decided from the bundled snapshots and lists only; checks that need live metadata were not evaluated');
  lines.push(threatData.state === 'current' ? threatData.text : `warning: ${threatData.text}`);
  if (config.mode === 'report' && denied > 0) lines.push('mode: report, so nothing is enforced: these denials are only reported');
  return lines.join('\n');
}

/** 1 when something is denied on known facts; 3 when a denial rests only on facts we could not fetch. */
function exitCodeFor(decisions: Decision<DecisionEcosystem>[], config: Config): number {
  const denied = decisions.filter((decision) => decision.decision === 'deny');
  if (denied.length === 0 || config.mode === 'report') return EXIT.ok;
  return denied.every(deniedOnlyForMissingFacts) ? EXIT.factsUnavailable : EXIT.denied;
}

function isHubSpec(text: string): boolean {
  return text.trim().startsWith('hf:');
}

/** `hf:ORG/NAME[@REVISION]` or `hf:datasets/ORG/NAME[@REVISION]`: a Hugging Face repo. */
export function parseHubSpec(text: string): RepoSpec {
  const spec = parseRepoSpec(text.trim().slice('hf:'.length));
  if (typeof spec === 'string') throw new UsageError(`"${text}" is not a Hugging Face repo: write hf:ORG/NAME[@REVISION] (${spec})`);
  return spec;
}
