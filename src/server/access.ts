// Who may talk to the firewall. On loopback anyone on the machine may (the firewall then guards
// only what they install); listening anywhere else needs an access token, and every request must
// carry it. When a token is set, depfence's own endpoints (beyond health) need it even on loopback.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/index.js';
import { ConfigError } from '../config/index.js';

const HEALTH_PATH = '/-/depfence/health';
const ADMIN_PREFIX = '/-/depfence/';

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

/** Refuses to start a server that would let the network in without a token. */
export function assertSafeBinding(config: Config): void {
  if (isLoopbackHost(config.server.host) || config.server.token !== null) return;
  throw new ConfigError(
    `refusing to listen on ${config.server.host} without an access token: anyone who can reach it could use the firewall. ` +
      'Set server.token (or DEPFENCE_TOKEN) to a long random string, or listen on 127.0.0.1',
  );
}

/** Does this request need the token, and if so, does it carry it? */
export function requestAllowed(config: Config, req: IncomingMessage, pathname: string): boolean {
  const token = config.server.token;
  if (token === null || pathname === HEALTH_PATH) return true;
  const needsToken = !isLoopbackHost(config.server.host) || pathname.startsWith(ADMIN_PREFIX);
  return !needsToken || carriesToken(req.headers.authorization, token);
}

/** `Bearer TOKEN` (npm's _authToken) or `Basic base64(user:TOKEN)` (pip and uv credentials in the index URL). */
export function carriesToken(authorization: string | undefined, token: string): boolean {
  if (!authorization) return false;
  const [scheme, value = ''] = authorization.split(/\s+/, 2);
  let presented: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') presented = value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    presented = decoded.slice(decoded.indexOf(':') + 1);
  }
  return presented !== undefined && sameSecret(presented, token);
}

export function sameSecret(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
