// Where the Hugging Face mount gets repos and files from: the Hub (online), or the offline store
// (`serve --offline`, chosen in server/mounts.ts). The routes, the policy, the headers and the
// refusals are the same either way; only the lookup and the artifact store differ.
import { join } from 'node:path';
import type { RepoKind } from '../../policy/models/index.js';
import { createArtifactStore, type ArtifactStore } from '../../sources/artifacts.js';
import { hubAuthorization, lookupRepo, type RepoLookup } from '../../sources/hf-metadata.js';
import type { ServerContext } from '../context.js';

export interface HfSource {
  /** The repo at the revision (a branch, tag or commit). */
  lookup(kind: RepoKind, id: string, revision: string): Promise<RepoLookup>;
  /** Files by the listing's hashes: fetched and verified, or from the store. */
  artifacts: ArtifactStore;
  /** What a client is told when the commit has no such file. */
  missingFile(kind: RepoKind, id: string, commit: string, path: string): string;
}

export function hubSource(context: ServerContext): HfSource {
  const { config } = context;
  const hub = config.upstreams.huggingface;
  // depfence's own Hub token, if configured; a client's Authorization (depfence's access token) never goes upstream.
  const authorization = hubAuthorization(hub);
  const store = createArtifactStore({
    cacheDir: join(config.server.dataDir, 'cache', 'models'),
    timeoutMs: config.network.timeout,
    retries: config.network.retries,
    concurrency: config.network.concurrency,
  });
  return {
    lookup: (kind, id, revision) =>
      lookupRepo(context.decider.http, hub.endpoint, kind, id, revision, config.network.cacheTtl, authorization),
    artifacts: {
      lookup: (sha256) => store.lookup(sha256),
      ensure: (request) => store.ensure({ ...request, ...(authorization && { authorization }) }),
    },
    missingFile: (_kind, id, commit, path) => `${path} is not a file of ${id} at ${commit}`,
  };
}
