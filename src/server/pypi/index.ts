// The PyPI simple index behind the firewall, mounted at /-/pypi/: parses the path (refusing bad
// input before anything else runs), negotiates the page format, and hands off to the routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mount, ServerContext } from '../context.js';
import { checkQuery, text } from '../query.js';
import { serveFile } from './file-route.js';
import { negotiate, SUPPORTED_TYPES } from '../../protocol/pypi/negotiate.js';
import { parsePypiPath, PYPI_PREFIX } from './paths.js';
import { serveProjectPage } from './project-route.js';
import { sendPypiError } from './responses.js';
import { ProjectLookups, type PypiSource } from './project-view.js';
import { serveRootPage } from './root-route.js';
import { ServedProjects } from './served-projects.js';

/** `?format=` chooses the page's representation (PEP 691); nothing else is read. */
const PAGE_QUERY = { format: text };

/** `source`: where pages and files come from (the upstream indexes, or the offline store). */
export function pypiMount(context: ServerContext, source: PypiSource): Mount {
  const served = ServedProjects.inDataDir(context.config.server.dataDir);
  const lookups = ProjectLookups.for(context, source);
  const { artifacts } = source;

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendPypiError(req, res, 405, `the PyPI index answers GET and HEAD only, not ${req.method}`, {
        headers: { allow: 'GET, HEAD' },
      });
    const path = parsePypiPath(req.url ?? '');
    switch (path.kind) {
      case 'bad':
        return sendPypiError(req, res, 400, path.message);
      case 'unknown':
        return sendPypiError(req, res, 404, `nothing is served at ${url.pathname}; the PyPI index is at ${PYPI_PREFIX}simple/`);
      case 'redirect':
        res.writeHead(301, { location: path.location, 'content-length': '0' });
        res.end();
        return;
      case 'file':
        return serveFile(context, lookups, artifacts, req, res, path);
      case 'root':
      case 'project': {
        const query = checkQuery(PAGE_QUERY, url.search.slice(1));
        if (!query.ok) return sendPypiError(req, res, 400, query.message);
        const format = new URLSearchParams(query.query).get('format');
        const representation = negotiate(req.headers.accept, format);
        if (!representation) {
          const asked = format ?? req.headers.accept ?? '';
          return sendPypiError(req, res, 406, `cannot answer in "${asked}"; this index serves ${SUPPORTED_TYPES.join(', ')}`);
        }
        if (path.kind === 'root') return serveRootPage(served, req, res, representation);
        return serveProjectPage(context, lookups, served, req, res, path.name, representation);
      }
    }
  }

  return { prefix: PYPI_PREFIX, handler: handle };
}
