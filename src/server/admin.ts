// depfence's own endpoints under /-/depfence/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { configKey, formatAge } from '../config/index.js';
import { validateName, type Ecosystem } from '../names/index.js';
import { freshness } from '../sources/osv/threat-data.js';
import type { ServerContext } from './context.js';
import { clientFromUserAgent } from './audit.js';
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
      threatData: threatDataHealth(context),
      configKey: configKey(context.config),
    });
  }
  if (url.pathname === '/-/depfence/refusals') {
    if (req.method !== 'GET') return sendError(res, 405, 'refusals answers GET only: ?since=ISO-TIME[&client=npm]');
    const since = new Date(url.searchParams.get('since') ?? '');
    if (Number.isNaN(since.getTime())) return sendError(res, 400, 'give ?since= an ISO time: the refusals answered from then on');
    return sendJson(res, 200, { refusals: context.refusals.since(since, url.searchParams.get('client')) });
  }
  if (url.pathname === '/-/depfence/decide') {
    if (req.method !== 'POST') return sendError(res, 405, 'decide answers POST only: {"packages":[{"ecosystem","name","version"}]}');
    return decide(context, req, res);
  }
  sendError(res, 404, `no depfence endpoint at ${url.pathname}; try /-/depfence/health`);
}

/** The index in force, how old it is against feeds.osv.maxAge, and the last automatic update. */
function threatDataHealth(context: ServerContext): Record<string, unknown> {
  const status = context.decider.threatData.status();
  const { maxAge } = context.config.feeds.osv;
  const fresh = freshness(status, context.now(), maxAge, formatAge);
  return {
    state: fresh.state,
    message: fresh.text,
    ageSeconds: fresh.ageMs === null ? null : Math.round(fresh.ageMs / 1000),
    maxAgeSeconds: Math.round(maxAge / 1000),
    builtAt: status.meta?.builtAt ?? null,
    checkedAt: status.meta?.checkedAt ?? null,
    loadedAt: status.loadedAt,
    packages: status.packages,
    feeds: status.meta?.feeds ?? null,
    autoUpdate: context.threatRefresh.autoUpdate,
    lastUpdate: context.threatRefresh.lastUpdate,
    lastError: status.lastError,
  };
}

// ── POST /-/depfence/decide ──────────────────────────────────────────────────────────────────────
// The shims' pre-flight: `{"client":"pip","packages":[{"ecosystem":"pypi","name":"x","version":null}]}`
// → `{"mode":"enforce","results":[Decision…]}`, one decision per package in the order asked, each
// also written to the audit log (subject "pre-flight"). Deciding here reuses the running server's
// snapshots and caches, which a shim would otherwise spend a second loading.

const DECIDE_MAX_BYTES = 1_048_576;
const DECIDE_MAX_PACKAGES = 2_000;

interface DecideRequest {
  ecosystem: Ecosystem;
  name: string;
  version: string | null;
}

async function decide(context: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, DECIDE_MAX_BYTES);
  if (body === null) {
    res.setHeader('connection', 'close');
    return sendError(res, 413, `the request body is larger than ${DECIDE_MAX_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return sendError(res, 400, 'the request body is not JSON: send {"packages":[{"ecosystem","name","version"}]}');
  }
  const problem = validateDecideBody(parsed);
  if (typeof problem === 'string') return sendError(res, 400, problem);
  const { packages, client } = problem;
  const now = context.now();
  const results = await Promise.all(packages.map((request) => context.decider.decide(request, now)));
  const time = now.toISOString();
  for (const decision of results) context.audit.record({ ...decision, time, client, subject: 'pre-flight', mode: context.config.mode });
  sendJson(res, 200, { mode: context.config.mode, results });
}

function validateDecideBody(body: unknown): { packages: DecideRequest[]; client: string } | string {
  const packages = (body as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) return 'send {"packages":[{"ecosystem","name","version"}]}';
  if (packages.length > DECIDE_MAX_PACKAGES) return `at most ${DECIDE_MAX_PACKAGES} packages at once`;
  const requests: DecideRequest[] = [];
  for (const [index, entry] of packages.entries()) {
    const { ecosystem, name, version } = (entry ?? {}) as Record<string, unknown>;
    if (ecosystem !== 'npm' && ecosystem !== 'pypi') return `packages[${index}].ecosystem must be "npm" or "pypi"`;
    if (typeof name !== 'string') return `packages[${index}].name must be a string`;
    const invalid = validateName(ecosystem, name);
    if (invalid) return `packages[${index}]: "${name}" is not a valid ${ecosystem} name: ${invalid}`;
    if (version !== undefined && version !== null && (typeof version !== 'string' || version === '' || /[\s\0-\x1f/\\]/.test(version))) {
      return `packages[${index}].version must be an exact version string or null`;
    }
    requests.push({ ecosystem, name, version: typeof version === 'string' ? version : null });
  }
  const client = (body as { client?: unknown }).client;
  return { packages: requests, client: typeof client === 'string' ? clientFromUserAgent(client) : 'shim' };
}

function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Refuse without destroying the request: that would cut the connection before the 413
        // is sent. The rest of the body is read and dropped; the connection closes after the answer.
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
