// Everything that would change the registry: publish, unpublish, dist-tag edits, creating users and
// logging in. depfence is a read-only proxy of the public registry, so these are refused with a
// message, except for names reserved in policy.confusion.npm when an internal registry is
// configured: those writes are passed to the internal registry as they are (credentials included),
// since that is where such packages live. Nothing is ever published to the public registry
// through depfence, and Verdaccio itself accepts no writes (auth: null, publish group nobody).
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { sendError } from '../respond.js';
import type { NpmEnv } from './env.js';
import type { NpmPath } from './paths.js';
import { routedInternally } from './confusion-routing.js';
import { recordDecision } from './audit.js';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'];

export async function handleWrite(env: NpmEnv, req: IncomingMessage, res: ServerResponse, path: NpmPath, rawPathAndQuery: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (path.kind === 'endpoint') {
    if (/^(user\/|v1\/login)/.test(path.rest)) {
      return sendError(res, 403, 'creating users and logging in are disabled: depfence is a read-only proxy; log in to your internal registry directly');
    }
    if (path.rest.startsWith('npm/v1/security/')) {
      return sendError(res, 404, 'depfence does not proxy npm audit (it would send your dependency tree to the public registry); run npm audit against the public registry directly if you want it');
    }
    const distTags = /^package\/(.+)\/dist-tags(\/.*)?$/.exec(path.rest);
    if (distTags) return writeToPackage(env, req, res, distTags[1]!, method, rawPathAndQuery);
    return sendError(res, 405, `${method} /-/${path.rest} is not offered: depfence is a read-only proxy`);
  }
  if (path.kind === 'packument' || path.kind === 'package-other' || path.kind === 'tarball' || path.kind === 'version') {
    return writeToPackage(env, req, res, path.name, method, rawPathAndQuery);
  }
  return sendError(res, 405, `${method} ${rawPathAndQuery.split('?')[0]} is not offered: depfence is a read-only proxy`);
}

async function writeToPackage(env: NpmEnv, req: IncomingMessage, res: ServerResponse, name: string, method: string, rawPathAndQuery: string): Promise<void> {
  const { config, decider } = env.context;
  const rule = decider.internalRule('npm', name);
  const internal = config.upstreams.npm.internal;
  const decision = { ecosystem: 'npm' as const, name, version: null };
  if (rule !== null && internal !== null && routedInternally(name)) {
    recordDecision(env.context, req, { ...decision, decision: 'allow', findings: [{ check: 'confusion', severity: 'info', message: `${method} for ${name} passed to the internal registry (policy.confusion.npm: ${rule})`, evidence: { rule, internal } }] }, 'publish');
    return forwardToInternal(req, res, internal, rawPathAndQuery, config.network.timeout);
  }
  const why = rule === null
    ? 'only names reserved in policy.confusion.npm can be published through it, and only to the internal registry'
    : 'this name is reserved for internal packages, but no internal registry is configured (upstreams.npm.internal)';
  const message = `publishing and other changes to ${name} are refused: depfence is a read-only proxy of the public registry; ${why}`;
  recordDecision(env.context, req, { ...decision, decision: 'deny', findings: [{ check: 'confusion', severity: 'deny', message, evidence: { method } }] }, 'publish');
  return sendError(res, 403, message);
}

/** Passes a write through to the internal registry and streams its answer back. */
function forwardToInternal(req: IncomingMessage, res: ServerResponse, internalBase: string, rawPathAndQuery: string, timeoutMs: number): Promise<void> {
  const target = new URL(rawPathAndQuery.replace(/^\//, ''), internalBase);
  const headers = { ...req.headers };
  for (const name of HOP_BY_HOP) delete headers[name];
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve) => {
    const upstream = send(target, { method: req.method, headers, timeout: timeoutMs }, (answer) => {
      const answerHeaders = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete answerHeaders[name];
      res.writeHead(answer.statusCode ?? 502, answerHeaders);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    upstream.on('error', (error) => {
      sendError(res, 502, `the internal registry ${internalBase} did not take the request: ${error.message}`);
      resolve();
    });
    req.pipe(upstream);
  });
}
