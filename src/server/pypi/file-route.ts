// GET /-/pypi/files/<project>/<filename>[.metadata]: a file the project's page lists. The file is
// looked up in the page the firewall fetched itself and judged exactly as the page judges it, so
// a hidden or denied file is refused even when its URL is asked for directly. The bytes come from
// the artifact cache, or are fetched, verified against the index's sha256 and cached first; byte
// ranges are served from the cached file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArtifactError, type ArtifactStore, type StoredArtifact } from '../../sources/artifacts.js';
import { UpstreamError } from '../../sources/http.js';
import { UNAVAILABLE_STATUS } from '../respond.js';
import type { ServerContext } from '../context.js';
import { fileDecision, recordDecision } from './audit.js';
import { fileUrlProblem } from '../file-hosts.js';
import type { ProjectLookups } from './project-view.js';
import { sendLookupFailure } from './project-route.js';
import { sendStoredFile } from '../stored-file.js';
import { denialMessage, sendPypiError } from './responses.js';

export interface FileRequest {
  project: string;
  filename: string;
  metadata: boolean;
}

export async function serveFile(
  context: ServerContext,
  lookups: ProjectLookups,
  artifacts: ArtifactStore,
  req: IncomingMessage,
  res: ServerResponse,
  request: FileRequest,
): Promise<void> {
  const subject = request.metadata ? 'metadata file' : 'file';
  const lookup = await lookups.get(request.project);
  if (lookup.kind !== 'view') return sendLookupFailure(context, req, res, request.project, lookup, null, subject);
  const { view } = lookup;
  const judged = view.files.find((candidate) => candidate.file.filename === request.filename);
  if (!judged)
    return sendPypiError(req, res, 404, `${request.filename} is not a file of ${request.project} on the ${view.source.label.name}`);
  if (judged.problem !== null) return sendPypiError(req, res, 403, `${request.filename} is not served: ${judged.problem}`);

  const decision = fileDecision(view, judged);
  recordDecision(context, req, decision, subject);
  if (decision.decision === 'deny' && context.config.mode === 'enforce') {
    return sendPypiError(req, res, 403, denialMessage(decision, request.filename), { decision });
  }

  const { file } = judged;
  let url = file.url;
  let sha256 = file.hashes.sha256!;
  let size = file.size;
  if (request.metadata) {
    const metadataHash = typeof file.coreMetadata === 'object' ? file.coreMetadata.sha256 : undefined;
    if (!metadataHash || !/^[0-9a-f]{64}$/.test(metadataHash)) {
      return sendPypiError(req, res, 404, `${request.filename} has no core metadata with a sha256 on the ${view.source.label.name}`);
    }
    url = metadataUrl(file.url);
    sha256 = metadataHash;
    size = null;
  }
  let stored: StoredArtifact;
  try {
    stored = await artifacts.ensure({
      url,
      sha256,
      size,
      upstream: view.source.label,
      allowUrl: (target) => fileUrlProblem(target, view.source.simpleUrl, context.config.upstreams.pypi.files ?? []) === null,
    });
  } catch (error) {
    return sendFetchFailure(req, res, error, request.filename);
  }
  sendStoredFile(req, res, stored, {
    contentType: request.metadata ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    etag: `"sha256-${stored.sha256}"`,
  });
}

/** PEP 658: the metadata file is the distribution's URL with `.metadata` appended to its path. */
function metadataUrl(fileUrl: string): string {
  const url = new URL(fileUrl);
  url.hash = '';
  url.pathname += '.metadata';
  return url.href;
}

function sendFetchFailure(req: IncomingMessage, res: ServerResponse, error: unknown, filename: string): void {
  if (error instanceof ArtifactError) {
    return sendPypiError(req, res, 502, `${filename} was not served: ${error.message}`);
  }
  if (error instanceof UpstreamError) {
    const unavailable = error.code === 'EUPSTREAM_TIMEOUT' || error.code === 'EUPSTREAM_UNREACHABLE' || (error.status ?? 500) >= 500;
    return sendPypiError(req, res, unavailable ? UNAVAILABLE_STATUS : 502, `${filename} could not be fetched: ${error.message}`, {
      unavailable,
    });
  }
  sendPypiError(req, res, 502, `${filename} could not be fetched: ${(error as Error).message}`);
}
