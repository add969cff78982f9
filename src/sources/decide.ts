// From a package name to a decision: route internal names away from the public registry, gather
// the facts (live or from the snapshots), and run the policy. Shared by `depfence check` and the
// registry proxies, so both decide the same way.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { canonicalName, type Ecosystem } from '../names/index.js';
import { evaluate, internalNameRule, type Decision, type PackageFacts, type PolicyContext } from '../policy/index.js';
import { Breaker } from './breaker.js';
import { gatherFacts } from './facts.js';
import { createHttpClient, type HttpClient } from './http.js';
import { loadEverything, loadPolicyData, type Snapshots } from './policy-context.js';
import type { ThreatData } from './osv/threat-data.js';

/** How long a download API that did not answer is left alone (its snapshot counts stand in meanwhile). */
const DOWNLOADS_API_COOLDOWN_MS = 60_000;

export interface PackageRequest {
  ecosystem: Ecosystem;
  name: string;
  version: string | null;
}

export interface Decider {
  readonly config: Config;
  readonly context: PolicyContext;
  readonly snapshots: Snapshots;
  readonly http: HttpClient;
  /** The threat-data index the decisions use (refreshed by whoever owns the decider). */
  readonly threatData: ThreatData;
  /** The package-level (or, with a version, version-level) decision. Never throws: missing facts deny. */
  decide(request: PackageRequest, now?: Date): Promise<Decision>;
  /** The rule in policy.confusion that reserves this name for the internal upstream, or null. */
  internalRule(ecosystem: Ecosystem, name: string): string | null;
}

export interface DeciderOptions {
  /** Decide with this threat-data holder instead of loading the data dir's index. */
  threatData?: ThreatData;
  /**
   * Build every part of the policy data now (a server: no request waits for it). Otherwise an
   * ecosystem's typosquat matcher is built when that ecosystem is first decided.
   */
  warm?: boolean;
}

export function createDecider(config: Config, options: DeciderOptions = {}): Decider {
  const data = loadPolicyData(config, options.threatData);
  if (options.warm) loadEverything(data);
  const { context, snapshots, threatData } = data;
  const http = createHttpClient({
    timeoutMs: config.network.timeout,
    retries: config.network.retries,
    concurrency: config.network.concurrency,
    cacheDir: join(config.server.dataDir, 'cache', 'metadata'),
    cacheTtlMs: config.network.cacheTtl,
    staleIfErrorMs: config.network.staleIfError,
    maxResponseBytes: config.network.maxResponseBytes,
  });
  const downloadsBreaker = new Breaker(DOWNLOADS_API_COOLDOWN_MS);
  const scopeLeader = (scope: string) => snapshots.npm.scopes().get(scope)?.leader;
  const internalRule = (ecosystem: Ecosystem, name: string) =>
    internalNameRule(ecosystem, canonicalName(ecosystem, name), config.policy.confusion);

  async function decide(request: PackageRequest, now = new Date()): Promise<Decision> {
    const rule = internalRule(request.ecosystem, request.name);
    if (rule !== null) {
      const internalUpstream = config.upstreams[request.ecosystem].internal;
      // npm: depfence hosts reserved names itself (published to its storage), so they never come
      // from a public registry; PyPI: only the internal index serves them.
      const hosted = request.ecosystem === 'npm' || internalUpstream !== null;
      return evaluate(internalNameFacts(request, rule, internalUpstream), context, { now, origin: hosted ? 'internal' : 'public' });
    }
    const facts = await gatherFacts(request, {
      http,
      upstreams: config.upstreams,
      snapshot: snapshots[request.ecosystem],
      offline: config.offline,
      downloadsTtlMs: config.network.downloadsCacheTtl,
      downloadsBreaker,
      scopeLeader,
    });
    return evaluate(facts, context, { now });
  }

  return { config, context, snapshots, http, threatData, decide, internalRule };
}

/**
 * Facts for a name reserved as internal: nothing is asked of the public registry (asking would
 * leak the name). The package is the organisation's own: on npm depfence's storage and the internal
 * upstream serve it; on PyPI only the internal upstream does, and without one the confusion check
 * denies it.
 */
function internalNameFacts(request: PackageRequest, rule: string, internalUpstream: string | null): PackageFacts {
  const where = internalUpstream
    ? `served only by depfence's storage (npm) and the internal upstream ${internalUpstream}`
    : 'the public registry is never asked about it';
  const notAsked = { state: 'not-evaluated', reason: `reserved internal name (${rule}): ${where}` } as const;
  return {
    ...request,
    canonicalName: canonicalName(request.ecosystem, request.name),
    exists: notAsked,
    downloads: notAsked,
    publishTimes: notAsked,
  };
}
