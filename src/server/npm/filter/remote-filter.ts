// The filter plugin inside the registry process: for every packument Verdaccio reads, it sends the
// versions (their publish times and tarball fields, nothing else) to depfence's judge and drops
// what depfence says to hide. depfence owns the policy, its live data and the verdict book; the
// registry process owns only this mechanical step. If the judge cannot be asked, every version is
// hidden: Verdaccio serves the unfiltered document when a filter throws, so this one never throws.
// A judgement of the same versions under the same threat data is reused briefly (judgement-reuse.ts).
import { request, Agent } from 'node:http';
import { isRecord } from '../../../protocol/npm/packument.js';
import type { JudgeAnswer, JudgementReuse } from './judgement-reuse.js';
import { asPackument, type Packument } from './packument.js';
import { applyJudgement } from './without-versions.js';

/**
 * The manifest fields the judge reads (the dist fields it fetches and verifies by, what the history
 * signals compare, see sources/release-history.ts, and the dependencies it checks for sources
 * outside the registry, see outside-dependencies.ts); readmes and the rest of a manifest stay here.
 */
const JUDGED_FIELDS = [
  'version',
  'dist',
  'scripts',
  'hasInstallScript',
  'gypfile',
  '_npmUser',
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;

/** What the judge is sent: the packument with each manifest cut down to JUDGED_FIELDS. */
export function slimPackument(packument: Packument): Packument {
  const versions = Object.fromEntries(
    Object.entries(packument.versions).map(([version, manifest]) => [
      version,
      isRecord(manifest)
        ? Object.fromEntries(JUDGED_FIELDS.filter((field) => field in manifest).map((field) => [field, manifest[field]]))
        : manifest,
    ]),
  );
  return { name: packument.name, versions, 'dist-tags': packument['dist-tags'], time: packument.time ?? {} };
}

export interface RemoteFilterOptions {
  judgeUrl: string;
  /** Sent as `Authorization: Bearer …`. */
  secret: string;
  timeoutMs: number;
  warn(message: string): void;
  reuse: JudgementReuse;
}

export function createRemoteVersionFilter(options: RemoteFilterOptions) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const judged = async (packument: Packument): Promise<JudgeAnswer> => {
    const body = JSON.stringify(slimPackument(packument));
    const reused = options.reuse.get(packument.name, body);
    if (reused) return reused;
    const answer = await askJudge(options, agent, body);
    options.reuse.remember(packument.name, body, answer);
    return answer;
  };
  return {
    async filter_metadata(manifest: unknown): Promise<unknown> {
      try {
        const answer = await judged(asPackument(manifest));
        return applyJudgement(manifest, answer.hide === 'all' ? 'all' : new Set(answer.hide));
      } catch (error) {
        options.warn(`depfence's judge could not be asked (${(error as Error).message}); every version is hidden`);
        return applyJudgement(manifest, 'all');
      }
    },
  };
}

function askJudge(options: RemoteFilterOptions, agent: Agent, text: string): Promise<JudgeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      options.judgeUrl,
      {
        method: 'POST',
        agent,
        timeout: options.timeoutMs,
        headers: {
          authorization: `Bearer ${options.secret}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`the judge answered HTTP ${res.statusCode}`);
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<JudgeAnswer> | null;
            const hide = answer?.hide;
            if (hide !== 'all' && !(Array.isArray(hide) && hide.every((item) => typeof item === 'string')))
              throw new Error('the judge sent an answer without "hide"');
            const generation = Number.isSafeInteger(answer?.generation) ? answer!.generation! : -1;
            resolve({ hide, generation, reusable: answer?.reusable === true && generation >= 0 });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end(text);
  });
}
