// The worker thread of update-thread.ts: one update, its warnings and progress sent as they come,
// then its result or the error it ended with.
import { parentPort, workerData } from 'node:worker_threads';
import { createHttpClient } from '../http.js';
import { updateThreatData } from './update.js';
import { sentError, type UpdateJob, type WorkerMessage } from './update-thread.js';

const job = workerData as UpdateJob;
const send = (message: WorkerMessage) => parentPort!.postMessage(message);

const http = createHttpClient({ ...job.network, concurrency: 2, cacheDir: null, cacheTtlMs: 0, staleIfErrorMs: 0 });
updateThreatData({
  dataDir: job.dataDir,
  from: job.from,
  http,
  maxBytes: job.maxBytes,
  warn: (message) => send({ kind: 'warn', message }),
  progress: (message) => send({ kind: 'progress', message }),
}).then(
  (result) => send({ kind: 'done', result }),
  (error: unknown) => send({ kind: 'failed', error: sentError(error) }),
);
