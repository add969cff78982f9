// Decisions about Hugging Face repos and their files: the checks' findings, allow entries applied
// (except to integrity and lock findings), combined into one Decision<'huggingface'>.
import { applyAllowEntries, verdictOf } from '../engine.js';
import { missingFactFinding } from '../checks/fact-gaps.js';
import type { Decision, Finding } from '../types.js';
import { repoAllowEntries, repoDenyFindings } from './lists.js';
import { checkRepoLock } from './lock-checks.js';
import { checkLookalike, checkRemoteCode, checkRepoAge, checkRepoDownloads, checkRepoState } from './repo-checks.js';
import type { ModelPolicyContext, RepoFacts } from './types.js';

export type ModelDecision = Decision<'huggingface'>;

/** The repo-level decision; `extra`: findings about one of its files, judged with it. */
export function evaluateRepo(facts: RepoFacts, ctx: ModelPolicyContext, now: Date, extra: readonly Finding[] = []): ModelDecision {
  const findings: Finding[] = [...repoDenyFindings(facts.id, ctx.deny), ...checkLookalike(facts, ctx)];
  const info = facts.info;
  if (info.state === 'known') {
    findings.push(
      ...checkRepoLock(ctx.lock, facts.kind, facts.id, info.value.commit),
      ...checkRepoState(facts, info.value, ctx),
      ...checkRepoAge(facts, info.value, ctx, now),
      ...checkRepoDownloads(facts, info.value, ctx),
      ...checkRemoteCode(facts, info.value, ctx),
    );
  } else {
    findings.push(
      ...checkRepoLock(ctx.lock, facts.kind, facts.id, null),
      missingFactFinding('exists', info, 'repo information from the Hub'),
    );
  }
  findings.push(...extra);
  const { active, expired } = repoAllowEntries(facts.id, ctx.allow, now);
  const final = applyAllowEntries(findings, active, expired);
  return {
    ecosystem: 'huggingface',
    name: facts.kind === 'dataset' ? `datasets/${facts.id}` : facts.id,
    version: info.state === 'known' ? info.value.commit : null,
    decision: verdictOf(final),
    findings: final,
  };
}
