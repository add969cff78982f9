// The PyPI side of `serve --offline`: project views built from the offline store instead of an
// upstream page, and an artifact store that serves the imported files and never fetches. The
// PyPI mount's routes, page model, renderers, audit and refusals are used unchanged: a project
// page lists exactly the imported files that the policy (run now, on the recorded facts and each
// file's recorded upload time) still lets through.
import type { ServerContext } from '../context.js';
import type { JudgedFile, ProjectLookup, PypiSource } from '../pypi/project-view.js';
import type { PageSource } from '../../sources/pypi-page.js';
import type { DistFile } from '../../protocol/pypi/model.js';
import { judgeVersion, type Finding } from '../../policy/index.js';
import { ArtifactError, type ArtifactStore, type StoredArtifact } from '../../sources/artifacts.js';
import type { PypiArtifact } from '../../protocol/bundle/manifest.js';
import { OfflineStore } from '../../sources/offline-store/store.js';
import { offlineDecision } from './facts.js';
import { notInMirrorMessage } from './messages.js';
import { asPromise } from './as-promise.js';

export const OFFLINE_SOURCE: PageSource = {
  simpleUrl: 'http://offline-mirror.depfence.invalid/',
  label: { name: 'vetted offline mirror', setting: 'offline' },
  jsonApiUrl: null,
};

/** The imported offline store, in place of every upstream index: it never fetches. */
export function offlinePypiSource(context: ServerContext): PypiSource {
  return {
    project: (name) => asPromise(() => offlinePypiLookup(context, name)),
    artifacts: offlineArtifactStore(context.config.server.dataDir),
  };
}

/** `name` is a valid, normalised project name. */
function offlinePypiLookup(context: ServerContext, name: string): ProjectLookup {
  const store = new OfflineStore(context.config.server.dataDir);
  const dir = store.currentDir();
  const stored = store.package('pypi', name, dir);
  if (stored?.package.ecosystem !== 'pypi') return { kind: 'not-found', message: notInMirrorMessage(`the project ${name}`) };
  const now = context.now();
  const decision = offlineDecision(stored.package, context.decider.context, now);
  const files = stored.artifacts
    .filter((artifact): artifact is PypiArtifact => artifact.ecosystem === 'pypi')
    .map((artifact): JudgedFile => {
      const file = distFile(artifact);
      const problem = store.blob(artifact.sha256, dir)
        ? null
        : `${artifact.filename} is listed in the offline store but its file is missing (the store is damaged: import the bundle again)`;
      const verdict = judgeVersion(
        { ecosystem: 'pypi', name, canonicalName: name, version: artifact.version, published: file.uploadTime },
        context.decider.context,
        now,
      );
      const named = (findings: Finding[]) =>
        findings.map((finding) => ({ ...finding, evidence: { ...finding.evidence, file: artifact.filename } }));
      return { file, version: artifact.version, problem, findings: named(verdict.findings), warnings: named(verdict.warnings) };
    });
  return { kind: 'view', view: { name, origin: stored.package.origin, source: OFFLINE_SOURCE, decision, files, stale: false } };
}

function distFile(artifact: PypiArtifact): DistFile {
  return {
    filename: artifact.filename,
    // Never fetched offline; kept absolute because the routes derive the .metadata URL from it.
    url: safeUrl(artifact.upstreamUrl, artifact.filename),
    hashes: { sha256: artifact.sha256 },
    requiresPython: artifact.requiresPython,
    yanked: artifact.yanked,
    coreMetadata: artifact.coreMetadata ? { sha256: artifact.coreMetadata.sha256 } : false,
    gpgSig: null,
    size: artifact.size,
    uploadTime: new Date(artifact.uploadTime),
  };
}

function safeUrl(url: string, filename: string): string {
  return URL.canParse(url) ? url : `${OFFLINE_SOURCE.simpleUrl}${encodeURIComponent(filename)}`;
}

/** Serves artifacts from the offline store by their sha256; anything else is refused, never fetched. */
function offlineArtifactStore(dataDir: string): ArtifactStore {
  const store = new OfflineStore(dataDir);
  const lookup = (sha256: string): StoredArtifact | null => {
    const blob = store.blob(sha256);
    return blob ? { path: blob.path, size: blob.size, sha256, fromCache: true } : null;
  };
  return {
    lookup: (sha256) => asPromise(() => lookup(sha256)),
    ensure: (request) =>
      asPromise(() => {
        const found = request.sha256 === null ? null : lookup(request.sha256);
        if (found) return found;
        throw new ArtifactError('EARTIFACT_URL', request.url, notInMirrorMessage(`the file with sha256 ${request.sha256}`));
      }),
  };
}
