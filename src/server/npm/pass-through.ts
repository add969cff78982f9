// Requests with nothing for depfence to judge (ping, whoami, search) and the writes it lets
// through (internal publishing, login): the registry process answers, and its answer is piped
// back as it comes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NpmEnv } from './env.js';
import { passableHeaders } from './registry/forward.js';

export async function passThrough(env: NpmEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const answer = await env.registry.ask({ method, path: req.url ?? '/', headers: req.headers, ...(hasBody && { body: req }) }, res);
  res.writeHead(answer.statusCode ?? 502, passableHeaders(answer.headers));
  answer.pipe(res);
  answer.on('error', () => res.destroy());
}
