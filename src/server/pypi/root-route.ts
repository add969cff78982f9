// GET /-/pypi/simple/: the root page, listing the projects this firewall has served (see
// served-projects.ts for why).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Representation } from '../../protocol/pypi/negotiate.js';
import { renderHtmlRootPage, renderJsonRootPage } from '../../protocol/pypi/render.js';
import { sendPage } from './responses.js';
import type { ServedProjects } from './served-projects.js';

export function serveRootPage(served: ServedProjects, req: IncomingMessage, res: ServerResponse, representation: Representation): void {
  const names = served.list();
  sendPage(req, res, representation, representation.format === 'json' ? renderJsonRootPage(names) : renderHtmlRootPage(names));
}
