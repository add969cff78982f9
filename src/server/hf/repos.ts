// A repo request's first step, shared by the info and resolve routes: which revision to ask for
// (a models.lock pins branches and tags to its commit), the Hub's answer, and the repo decision.
// Each request resolves its revision once; everything it serves comes from that commit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  evaluateRepo,
  lockedRepo,
  type ModelDecision,
  type ModelPolicyContext,
  type RepoFacts,
  type RepoInfo,
  type RepoKind,
} from '../../policy/models/index.js';
import type { Finding } from '../../policy/index.js';
import { isCommitId, type RepoLookup } from '../../sources/hf-metadata.js';
import type { ServerContext } from '../context.js';
import type { HfSource } from './source.js';
import { recordRequestDecision } from '../record-decision.js';
import { refusalMessage, sendHubError } from './responses.js';

export type FoundRepo = Extract<RepoLookup, { kind: 'found' }>;

export interface HfRepos {
  readonly policy: ModelPolicyContext;
  /** The repo at the revision, or null when an answer (404, 503) has been sent. */
  find(req: IncomingMessage, res: ServerResponse, kind: RepoKind, id: string, revision: string, subject: string): Promise<FoundRepo | null>;
  /** The decision about the repo (with findings about one of its files, if given). */
  decide(facts: RepoFacts, extra?: readonly Finding[], info?: RepoInfo): ModelDecision;
  /** Records the decision; sends the refusal and returns false when it denies (in enforce mode). */
  enforce(req: IncomingMessage, res: ServerResponse, decision: ModelDecision, subject: string, headers?: Record<string, string>): boolean;
}

export function createHfRepos(context: ServerContext, source: HfSource, policy: ModelPolicyContext): HfRepos {
  /** A branch or tag of a locked repo means the locked commit: the Hub is not asked where it points now. */
  function revisionToAsk(kind: RepoKind, id: string, revision: string): string {
    const locked = policy.lock ? lockedRepo(policy.lock, kind, id) : null;
    return locked && !isCommitId(revision) ? locked.commit : revision;
  }

  const hfRepos: HfRepos = {
    policy,
    async find(req, res, kind, id, revision, subject) {
      // What the name alone decides (deny entries, a look-alike organisation, a lock that does not
      // list the repo) is refused before the Hub is asked anything.
      const byName = hfRepos.decide({ kind, id, info: { state: 'not-evaluated', reason: 'decided by the name alone' } });
      if (byName.decision === 'deny' && !hfRepos.enforce(req, res, byName, subject)) return null;
      const lookup = await source.lookup(kind, id, revisionToAsk(kind, id, revision));
      if (lookup.kind === 'found') return lookup;
      if (lookup.kind === 'not-found') {
        sendHubError(req, res, 404, lookup.message, { code: lookup.code ?? 'RepoNotFound' });
        return null;
      }
      const decision = hfRepos.decide(lookup.facts);
      recordRequestDecision(context, req, decision, subject);
      if (context.config.mode === 'report') {
        sendHubError(req, res, 503, `the Hub could not be asked about ${id}: ${lookup.message}`);
        return null;
      }
      sendHubError(req, res, 503, refusalMessage(decision, id), { decision });
      return null;
    },
    decide(facts, extra = [], info) {
      const withInfo: RepoFacts = info && facts.info.state === 'known' ? { ...facts, info: { ...facts.info, value: info } } : facts;
      return evaluateRepo(withInfo, policy, context.now(), extra);
    },
    enforce(req, res, decision, subject, headers) {
      recordRequestDecision(context, req, decision, subject);
      if (decision.decision !== 'deny' || context.config.mode !== 'enforce') return true;
      // File findings name their file, so the refusal names the repo.
      sendHubError(req, res, 403, refusalMessage(decision, decision.name), { decision, ...(headers && { headers }) });
      return false;
    },
  };
  return hfRepos;
}
