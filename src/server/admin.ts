// depfence's own endpoints under /-/depfence/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from './app.js';
import { sendError, sendJson } from './respond.js';

const startedAt = new Date();

export async function handleAdmin(context: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (url.pathname === '/-/depfence/health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'health answers GET only');
    return sendJson(res, 200, {
      ok: true,
      pid: process.pid,
      mode: context.config.mode,
      offline: context.config.offline,
      startedAt: startedAt.toISOString(),
      dataDir: context.config.server.dataDir,
    });
  }
  sendError(res, 404, `no depfence endpoint at ${url.pathname}; try /-/depfence/health`);
}
