// Everything that would change the registry: publish, unpublish, dist-tag edits, logging in.
// Only the names reserved in policy.confusion.npm can be written, and only into depfence's own
// storage: the registry process's Verdaccio takes them from users added with `depfence user add`
// (htpasswd; `npm login` gets a token with the standard `PUT /-/user/org.couchdb.user:NAME`).
// Every other name is refused here, before Verdaccio sees the request; nothing is ever published
// to the public registry, nor to the internal one, through depfence.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../respond.js';
import type { NpmEnv } from './env.js';
import type { NpmPath } from '../../protocol/npm/paths.js';
import { routedInternally } from './confusion-routing.js';
import { recordDecision } from './audit.js';
import { passThrough } from './pass-through.js';

export async function handleWrite(env: NpmEnv, req: IncomingMessage, res: ServerResponse, path: NpmPath): Promise<void> {
  const method = req.method ?? 'GET';
  if (path.kind === 'endpoint') {
    // Logging in (a token for an htpasswd user) and out: Verdaccio checks the password.
    if (
      /^user\/(org\.couchdb\.user:[^/]+|token\/[^/]+)$/.test(path.rest) ||
      path.rest === 'npm/v1/tokens' ||
      path.rest.startsWith('npm/v1/tokens/')
    )
      return passThrough(env, req, res);
    if (path.rest.startsWith('v1/login')) {
      return sendError(res, 404, 'web login is not offered; log in with a user from `depfence user add`: npm login --auth-type=legacy');
    }
    if (path.rest.startsWith('npm/v1/security/')) {
      return sendError(
        res,
        404,
        'depfence does not proxy npm audit (it would send your dependency tree to the public registry); run npm audit against the public registry directly if you want it',
      );
    }
    const distTags = /^package\/(.+)\/dist-tags(\/.*)?$/.exec(path.rest);
    if (distTags) return writeToPackage(env, req, res, distTags[1]!, method);
    return sendError(res, 405, `${method} /-/${path.rest} is not offered by depfence`);
  }
  if (path.kind === 'packument' || path.kind === 'package-other' || path.kind === 'tarball' || path.kind === 'version') {
    return writeToPackage(env, req, res, path.name, method);
  }
  return sendError(res, 405, `${method} ${(req.url ?? '/').split('?')[0]} is not offered by depfence`);
}

async function writeToPackage(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, method: string): Promise<void> {
  const rule = env.context.decider.internalRule('npm', name);
  const decision = { ecosystem: 'npm' as const, name, version: null };
  if (rule !== null && routedInternally(name)) {
    recordDecision(
      env.context,
      req,
      {
        ...decision,
        decision: 'allow',
        findings: [
          {
            check: 'confusion',
            severity: 'info',
            message: `${method} for ${name} passed to depfence's own registry (policy.confusion.npm: ${rule}); its users' credentials decide`,
            evidence: { rule },
          },
        ],
      },
      'publish',
    );
    return passThrough(env, req, res);
  }
  const why =
    rule === null
      ? 'only names reserved for internal packages in policy.confusion.npm can be published to depfence'
      : 'internal names are published in lowercase only';
  const message = `publishing and other changes to ${name} are refused: depfence serves the public registry read-only; ${why}`;
  recordDecision(
    env.context,
    req,
    { ...decision, decision: 'deny', findings: [{ check: 'confusion', severity: 'deny', message, evidence: { method } }] },
    'publish',
  );
  return sendError(res, 403, message);
}
