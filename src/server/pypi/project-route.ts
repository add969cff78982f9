// GET /-/pypi/simple/<project>/: the project page, decided and filtered. A denied project is
// refused (403, or 503 when only missing facts denied it) in the client's format; an allowed one
// lists its visible files with URLs on the firewall. In report mode the decisions are logged and
// everything servable is listed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from '../context.js';
import { pageUnavailableDecision, recordDecision, recordPageDecisions, type Subject } from './audit.js';
import type { Representation } from '../../protocol/pypi/negotiate.js';
import { visibleFiles, type ProjectLookup, type ProjectLookups } from './project-view.js';
import { renderHtmlProjectPage, renderJsonProjectPage } from '../../protocol/pypi/render.js';
import { denialMessage, sendPage, sendPypiError } from './responses.js';
import type { ServedProjects } from './served-projects.js';
import { servedPage } from './served-page.js';

export async function serveProjectPage(
  context: ServerContext,
  lookups: ProjectLookups,
  served: ServedProjects,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  representation: Representation,
): Promise<void> {
  const lookup = await lookups.get(name);
  if (lookup.kind !== 'view') return sendLookupFailure(context, req, res, name, lookup, representation, 'project page');
  const { view } = lookup;
  recordPageDecisions(context, req, view);
  const mode = context.config.mode;
  if (view.decision.decision === 'deny' && mode === 'enforce') {
    return sendPypiError(req, res, 403, denialMessage(view.decision, `the project ${name}`), { representation, decision: view.decision });
  }
  served.add(name);
  const page = servedPage(name, visibleFiles(view, mode));
  sendPage(req, res, representation, representation.format === 'json' ? renderJsonProjectPage(page) : renderHtmlProjectPage(page));
}

/**
 * A lookup that produced no page: a reserved internal name (403), an unknown project (404), an
 * upstream failure (503/502, logged as a fail-closed denial).
 */
export function sendLookupFailure(
  context: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  lookup: Exclude<ProjectLookup, { kind: 'view' }>,
  representation: Representation | null,
  subject: Subject,
): void {
  switch (lookup.kind) {
    case 'reserved': {
      recordDecision(context, req, lookup.decision, subject);
      const message =
        `${name} is reserved for internal packages (policy.confusion.pypi: ${lookup.rule}) and no internal index is configured ` +
        '(upstreams.pypi.internal), so depfence never asks the public index about it; set upstreams.pypi.internal to serve it';
      return sendPypiError(req, res, 403, message, { representation, decision: lookup.decision });
    }
    case 'not-found':
      return sendPypiError(req, res, 404, lookup.message, { representation });
    case 'upstream-error': {
      const decision = pageUnavailableDecision(name, lookup);
      recordDecision(context, req, decision, subject);
      return sendPypiError(req, res, lookup.status, lookup.message, { representation, decision });
    }
  }
}
