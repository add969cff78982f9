// Recording what Verdaccio writes to a response instead of sending it. Verdaccio streams tarballs
// to the client as they arrive from the uplink; depfence must see every byte (and check it against
// the packument's integrity) before the client gets any, and may replace a packument answer (a 404
// that really means "the upstream failed") or add headers. The response given to Verdaccio is
// depfence's own (see exchange.ts); its writeHead/write/end record instead of sending, and stay
// that way after the first end(): Verdaccio sometimes reports a second error on the same response
// (a cut-off upstream stream does), which must go nowhere.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface CapturedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export class ResponseTooLarge extends Error {
  override readonly name = 'ResponseTooLarge';
  readonly code = 'ETOOLARGE';
}

type WriteCallback = (error?: Error | null) => void;

/**
 * Records what is written to `res` until it is ended. Resolves with the status, headers and body;
 * rejects if the body passes `limitBytes`.
 */
export function recordResponse(res: ServerResponse, limitBytes: number): Promise<CapturedResponse> {
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;

  return new Promise<CapturedResponse>((resolve, reject) => {
    const append = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk === undefined || chunk === null || settled || typeof chunk === 'function') return;
      const buffer = Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), encoding ?? 'utf8');
      size += buffer.length;
      if (size > limitBytes) {
        settled = true;
        reject(new ResponseTooLarge(`the response passed ${limitBytes} bytes`));
        return;
      }
      chunks.push(buffer);
    };

    res.writeHead = function recordHead(status: number, ...rest: unknown[]) {
      if (settled) return res;
      res.statusCode = status;
      const headers = rest.find((item) => typeof item === 'object' && item !== null) as OutgoingHttpHeaders | string[] | undefined;
      if (Array.isArray(headers)) {
        for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(headers[i]!, headers[i + 1]!);
      } else if (headers) {
        for (const [key, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(key, value);
      }
      return res;
    } as ServerResponse['writeHead'];

    res.flushHeaders = () => {};

    res.write = function recordWrite(chunk: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback) {
      const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      append(chunk, encoding);
      if (done) process.nextTick(done);
      return true;
    } as ServerResponse['write'];

    res.end = function recordEnd(chunk?: unknown, encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void) {
      const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
      const done = [chunk, encodingOrCallback, callback].find((item): item is () => void => typeof item === 'function');
      append(chunk, encoding);
      if (!settled) {
        settled = true;
        resolve({ status: res.statusCode, headers: res.getHeaders(), body: Buffer.concat(chunks) });
        process.nextTick(() => res.emit('finish'));
      }
      if (done) process.nextTick(done);
      return res;
    } as ServerResponse['end'];
  });
}

/** Send a captured (possibly changed) response for real. */
export function sendCaptured(res: ServerResponse, captured: CapturedResponse, headOnly: boolean): void {
  const headers: OutgoingHttpHeaders = { ...captured.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  delete headers['keep-alive'];
  const noBody = captured.status === 204 || captured.status === 304;
  if (noBody) delete headers['content-length'];
  // A HEAD answer keeps the length Verdaccio announced for the body it did not send.
  else if (!headOnly) headers['content-length'] = String(captured.body.length);
  res.writeHead(captured.status, headers);
  res.end(headOnly || noBody ? undefined : captured.body);
}
