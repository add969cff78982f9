// The origin a client reached the firewall at, for URLs the firewall writes into what it serves
// (npm tarball URLs): the request's own Host, else the configured address.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/index.js';

export function requestOrigin(req: IncomingMessage, config: Config): string {
  return `http://${req.headers.host ?? `${config.server.host}:${config.server.port}`}`;
}
