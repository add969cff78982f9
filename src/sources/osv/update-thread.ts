// `depfence update` and serve's automatic update run the update (update.ts) in a worker thread:
// - off the caller's event loop: reading an export is synchronous work in small steps chained by
//   microtasks, which no timer or socket gets between (in-process, a firewall stopped answering
//   for the whole update, 20 s for 200,000 records);
// - with its heap limited (feeds.osv.updateHeapMb): an export too big for it, or a fault in the
//   worker, ends the worker, not the firewall, and is reported as a failed update with the index
//   in force left as it was.
// Errors come back as DepfenceErrors with the code, message and hint the update threw, so callers
// tell a feed outage (EUPSTREAM_*) from an unusable export (EOSV_*) as before.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/index.js';
import { DepfenceError, isDepfenceError } from '../../errors.js';
import { UpdateError } from './update-error.js';
import type { UpdateOptions, UpdateResult } from './update.js';

/** What the worker is given: plain data (it crosses a thread by structured clone). */
export interface UpdateJob {
  dataDir: string;
  from: string;
  maxBytes: number;
  network: { timeoutMs: number; retries: number; maxResponseBytes: number };
}

export type SentError =
  | { kind: 'depfence'; code: string; summary: string; hint: string | null; problems: readonly string[] }
  | { kind: 'unexpected'; message: string; stack: string | undefined };

export type WorkerMessage =
  { kind: 'warn' | 'progress'; message: string } | { kind: 'done'; result: UpdateResult } | { kind: 'failed'; error: SentError };

export interface UpdateReport extends Pick<UpdateOptions, 'warn' | 'progress'> {
  /** Ends the update (the worker is terminated, and the promise rejects once it has; the index in force stays). */
  signal?: AbortSignal;
}

const AGAIN = 'run it again, and report it if it recurs';

/** One update of the data dir's index with the configuration's settings (the command's and the server's). */
export function runThreatDataUpdate(config: Config, from: string, report: UpdateReport = {}): Promise<UpdateResult> {
  const job: UpdateJob = {
    dataDir: config.server.dataDir,
    from,
    maxBytes: config.feeds.osv.maxBytes,
    network: { timeoutMs: config.network.timeout, retries: config.network.retries, maxResponseBytes: config.network.maxResponseBytes },
  };
  const heapMiB = config.feeds.osv.updateHeapMb;
  // The worker runs the way this module runs: update-worker.ts under tsx (tests), .js from dist/.
  const entry = new URL(`./update-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  return new Promise((resolve, reject) => {
    if (report.signal?.aborted) return reject(new UpdateError('the update was stopped before it began'));
    const worker = startWorker(entry, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: heapMiB },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    // The first outcome decides; the worker is then ended (an idle keep-alive socket of its HTTP
    // client must not keep it, or the caller, waiting), and the outcome is given once it has: a
    // stopped update writes nothing to the data dir after the caller hears of it.
    const settle = (outcome: { ok: true; result: UpdateResult } | { ok: false; error: Error }) => {
      if (settled) return;
      settled = true;
      report.signal?.removeEventListener('abort', stop);
      const give = () => (outcome.ok ? resolve(outcome.result) : reject(outcome.error));
      worker.terminate().then(give, give);
    };
    const stop = () => settle({ ok: false, error: new UpdateError('the update was stopped (the firewall is shutting down)') });
    report.signal?.addEventListener('abort', stop, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'done') settle({ ok: true, result: message.result });
      else if (message.kind === 'failed') settle({ ok: false, error: receivedError(message.error) });
      else (message.kind === 'warn' ? report.warn : report.progress)?.(message.message);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      settle({
        ok: false,
        error:
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? outOfMemory(heapMiB)
            : new UpdateError(`the update stopped on an internal error (${error.message})`, { hint: AGAIN }),
      });
    });
    worker.on('exit', (code) =>
      settle({ ok: false, error: new UpdateError(`the update's worker ended (exit code ${code}) before it finished`, { hint: AGAIN }) }),
    );
  });
}

/** A worker thread does not inherit tsx's loader (`--import` in its execArgv is not applied), so a .ts entry registers it first. */
function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const load = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(load, { ...options, eval: true });
}

function outOfMemory(heapMiB: number): UpdateError {
  return new UpdateError(
    `the update ran out of memory: the export needs more than the ${heapMiB} MiB heap it may use (feeds.osv.updateHeapMb)`,
    {
      hint: `raise that setting, e.g. DEPFENCE_FEEDS__OSV__UPDATE_HEAP_MB=${heapMiB * 2}, and run it again`,
    },
  );
}

/** The error the update threw in the worker, with the same code, message and hint. */
function receivedError(error: SentError): Error {
  if (error.kind === 'depfence')
    return new DepfenceError(error.code, error.summary, { ...(error.hint !== null && { hint: error.hint }), problems: error.problems });
  return Object.assign(new Error(`the update failed unexpectedly: ${error.message}`), { stack: error.stack });
}

/** The other half of receivedError, in the worker. */
export function sentError(error: unknown): SentError {
  if (isDepfenceError(error))
    return { kind: 'depfence', code: error.code, summary: error.summary, hint: error.hint, problems: error.problems };
  const known = error instanceof Error ? error : new Error(String(error));
  return { kind: 'unexpected', message: known.message, stack: known.stack };
}
