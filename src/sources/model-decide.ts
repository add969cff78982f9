// From a repo and revision to a decision, for the commands that judge repos without serving them
// (`depfence check hf:…`, `depfence models lock`): the Hub's facts (none offline: the checks that
// need them report that they did not run), then the model policy.
import type { Config } from '../config/index.js';
import { evaluateRepo, type ModelDecision, type ModelPolicyContext, type RepoKind } from '../policy/models/index.js';
import { hubAuthorization, lookupRepo, type RepoLookup } from './hf-metadata.js';
import type { HttpClient } from './http.js';

export interface RepoRequest {
  kind: RepoKind;
  id: string;
  /** A branch, tag or commit; null: main. */
  revision: string | null;
}

export interface RepoVerdict {
  decision: ModelDecision;
  /** null offline. */
  lookup: RepoLookup | null;
}

export async function decideRepo(
  http: HttpClient,
  config: Config,
  policy: ModelPolicyContext,
  request: RepoRequest,
  now = new Date(),
): Promise<RepoVerdict> {
  if (config.offline) {
    const facts = {
      kind: request.kind,
      id: request.id,
      info: { state: 'not-evaluated', reason: 'offline: the Hub is not asked' } as const,
    };
    return { decision: evaluateRepo(facts, policy, now), lookup: null };
  }
  const hub = config.upstreams.huggingface;
  const lookup = await lookupRepo(
    http,
    hub.endpoint,
    request.kind,
    request.id,
    request.revision ?? 'main',
    undefined,
    hubAuthorization(hub),
  );
  if (lookup.kind === 'not-found') {
    const facts = {
      kind: request.kind,
      id: request.id,
      info: { state: 'unavailable', reason: lookup.message, source: config.upstreams.huggingface.endpoint } as const,
    };
    const decision = evaluateRepo(facts, policy, now);
    // A repo that does not exist is a known fact, not a missing one.
    return {
      decision: {
        ...decision,
        findings: decision.findings.map((finding) =>
          finding.check === 'exists' ? { ...finding, message: lookup.message, evidence: { exists: false } } : finding,
        ),
      },
      lookup,
    };
  }
  return { decision: evaluateRepo(lookup.facts, policy, now), lookup };
}
