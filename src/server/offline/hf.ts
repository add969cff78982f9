// The Hugging Face side of `serve --offline`: repos and files from the offline store, never the
// Hub. A repo's information is the Hub's document recorded when it was mirrored, listing only the
// files the bundle carries; a branch or tag means the newest mirrored commit (as a models.lock
// pins branches to its commit); files are the store's verified blobs. The HF mount's routes,
// policy, headers and refusals are used unchanged, so the policy runs again on every request.
import type { RepoKind } from '../../policy/models/index.js';
import type { ModelRepoRecord } from '../../protocol/bundle/manifest.js';
import { ArtifactError, type StoredArtifact } from '../../sources/artifacts.js';
import { isCommitId, repoInfoOf, type RepoLookup } from '../../sources/hf-metadata.js';
import { OfflineStore, type StoredModel } from '../../sources/offline-store/store.js';
import type { ServerContext } from '../context.js';
import type { HfSource } from '../hf/source.js';
import { notInMirrorMessage } from './messages.js';

export function offlineHfSource(context: ServerContext): HfSource {
  const store = new OfflineStore(context.config.server.dataDir);
  // Files kept in git are asked for by blob id: the content sha256 the store keeps them under.
  const byBlobId = new Map<string, string>();

  function find(kind: RepoKind, id: string, revision: string): RepoLookup {
    const name = `${kind === 'dataset' ? 'dataset ' : ''}${id}`;
    const stored = store.model(kind, id);
    if (!stored || stored.revisions.length === 0)
      return {
        kind: 'not-found',
        message: notInMirrorMessage(`the ${kind === 'dataset' ? 'dataset' : 'model'} ${id}`) + refusedWhy(stored, null, null),
      };
    const record = isCommitId(revision) ? stored.revisions.find((candidate) => candidate.commit === revision) : stored.revisions.at(-1);
    if (!record) {
      const held = stored.revisions.map((candidate) => candidate.commit).join(', ');
      return {
        kind: 'not-found',
        code: 'RevisionNotFound',
        message: `${notInMirrorMessage(`commit ${revision} of ${name}`)} (the mirror holds ${held})`,
      };
    }
    for (const file of record.files) if (file.blobId) byBlobId.set(file.blobId, file.sha256);
    const document = bundledDocument(record);
    return {
      kind: 'found',
      facts: {
        kind,
        id,
        info: { state: 'known', value: repoInfoOf(document), source: `vetted mirror (the Hub, recorded ${record.recordedAt})` },
      },
      document,
    };
  }

  function blob(sha256: string): StoredArtifact | null {
    const found = store.blob(sha256);
    return found ? { path: found.path, size: found.size, sha256, fromCache: true } : null;
  }

  return {
    lookup: (kind, id, revision) => Promise.resolve(find(kind, id, revision)),
    artifacts: {
      lookup: (sha256) => Promise.resolve(blob(sha256)),
      ensure(request) {
        const sha256 = request.sha256 ?? (request.gitBlob ? byBlobId.get(request.gitBlob) : undefined);
        const found = sha256 ? blob(sha256) : null;
        if (found) return Promise.resolve(found);
        return Promise.reject(
          new ArtifactError(
            'EARTIFACT_URL',
            request.url,
            'the file is listed in the offline store but its bytes are missing (the store is damaged: import the bundle again)',
          ),
        );
      },
    },
    missingFile: (kind, id, commit, path) =>
      notInMirrorMessage(`${path} of ${id} at ${commit}`) + refusedWhy(store.model(kind, id), commit, path),
  };
}

/** Why `depfence mirror --skip-denied` left the repo or file out, if it did. */
function refusedWhy(stored: StoredModel | null, commit: string | null, path: string | null): string {
  const entry = stored?.refused.find((refused) => (commit === null || refused.commit === commit) && refused.path === path);
  return entry ? `; depfence mirror left it out: ${entry.reasons.join('; ')}` : '';
}

/** The recorded document, listing exactly the files the store holds for the commit. */
function bundledDocument(record: ModelRepoRecord): ModelRepoRecord['info'] {
  const carried = new Set(record.files.map((file) => file.path));
  return { ...record.info, siblings: record.info.siblings.filter((sibling) => carried.has(sibling.rfilename)) };
}
