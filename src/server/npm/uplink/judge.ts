// The version filter's verdicts, asked by the registry process for each packument Verdaccio reads
// (remote-filter.ts sends the versions, their times and tarball fields). depfence judges them with
// its live policy, records them in the verdict book (which the client routes read), and answers
// which versions to hide.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from '../../respond.js';
import { tarballUrlProblem } from '../filter/tarball-host.js';
import type { JudgeAnswer } from '../filter/judgement-reuse.js';
import { judgePackument } from '../filter/version-filter.js';
import type { UplinkAddresses } from './addresses.js';
import type { UplinkDeps } from './deps.js';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function judge(deps: UplinkDeps, addresses: UplinkAddresses, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8'));
  } catch (error) {
    return sendError(res, 400, `the judge needs a JSON packument: ${(error as Error).message}`);
  }
  const { config, decider } = deps;
  // Read in the same synchronous step as the judging: the generation the answer was made under.
  const generation = decider.threatData.generation;
  const judgement = judgePackument(body, {
    context: decider.context,
    now: deps.now,
    enforce: deps.enforce,
    book: deps.book,
    warn: (message) => process.stderr.write(`depfence: warning: ${message}\n`),
    unreadableUpstream: (name) => deps.unreadable.get(name),
    tarballProblem: (name, url) => {
      const internal = decider.internalRule('npm', name) !== null;
      const registry = internal ? config.upstreams.npm.internal : config.upstreams.npm.registry;
      const setting = internal ? 'upstreams.npm.internal' : 'upstreams.npm.registry';
      const refused = addresses.refusedOriginal(url);
      if (refused !== null)
        return registry === null
          ? `its tarball is hosted at ${refused}, which depfence does not fetch from`
          : tarballUrlProblem(refused, registry, setting);
      // Published into depfence's own storage: only reserved names can be.
      if (internal || addresses.isFetchable(url, 'public')) return null;
      return tarballUrlProblem(url, config.upstreams.npm.registry, setting);
    },
  });
  const hide = judgement.hidden === 'all' ? 'all' : [...judgement.hidden];
  // Versions the uplink could not read are not in what was sent: an answer that hides them for
  // that reason depends on more than the body, so the registry process must not reuse it.
  const name = typeof (body as { name?: unknown } | null)?.name === 'string' ? (body as { name: string }).name : null;
  const reusable = judgement.failure === null && name !== null && deps.unreadable.get(name) === undefined;
  return sendJson(res, 200, { hide, generation, reusable } satisfies JudgeAnswer);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`more than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
