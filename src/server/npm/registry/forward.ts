// depfence asking its registry process, over a real loopback connection: the client's request as
// depfence lets it through (method, path, headers, body), plus depfence's front-door secret. The
// answer comes back as a stream; packuments are read whole (bounded) to be finished, tarballs and
// write answers are piped on.
import { DepfenceError, type DepfenceErrorOptions } from '../../../errors.js';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { carriesToken } from '../../access.js';
import { FRONT_HEADER, GENERATION_HEADER } from './protocol.js';
import type { RegistryProcess } from './supervisor.js';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** The registry process is down or broke off: the route answers 503 with `message`. */
export class RegistryUnavailable extends DepfenceError<'EREGISTRY_UNAVAILABLE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EREGISTRY_UNAVAILABLE', message, options);
  }
}

export class ResponseTooLarge extends DepfenceError<'ERESPONSE_TOO_LARGE'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('ERESPONSE_TOO_LARGE', message, options);
  }
}

export interface ForwardRequest {
  method: string;
  /** Path and query, as Verdaccio should see them. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The request body (writes); none for GET and HEAD. */
  body?: Readable;
}

export class RegistryClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });

  /**
   * @param accessToken depfence's own access token (server.token): never passed on to Verdaccio.
   * @param generation the threat-data generation in force now, named in every request.
   */
  constructor(
    readonly registry: RegistryProcess,
    readonly frontSecret: string,
    readonly accessToken: string | null,
    readonly generation: () => number,
  ) {}

  /** Sends the request; resolves with the answer's head (its body still to be read). `client` going away aborts it. */
  async ask(forward: ForwardRequest, client?: ServerResponse): Promise<IncomingMessage> {
    const target = await this.registry.ready();
    if (!target.up) throw new RegistryUnavailable(target.reason);
    const headers: IncomingHttpHeaders = {
      ...forward.headers,
      [FRONT_HEADER]: this.frontSecret,
      [GENERATION_HEADER]: String(this.generation()),
    };
    for (const name of HOP_BY_HOP) delete headers[name];
    if (this.accessToken !== null && carriesToken(headers.authorization, this.accessToken)) delete headers.authorization;
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: target.port, method: forward.method, path: forward.path, headers, agent: this.#agent },
        (answer) => {
          client?.off('close', abandon);
          // The answer is the caller's now; the client leaving mid-body ends it.
          client?.once('close', () => answer.destroy());
          resolve(answer);
        },
      );
      const abandon = () => req.destroy();
      client?.once('close', abandon);
      req.on('error', (error) =>
        reject(new RegistryUnavailable(`the npm registry process broke off (${error.message}); try again in a moment`)),
      );
      if (forward.body) forward.body.pipe(req);
      else req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Reads an answer whole, refusing more than `limitBytes`. */
export async function readAnswer(answer: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      answer.destroy();
      throw new ResponseTooLarge(`the registry's answer passed ${limitBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Headers of an answer fit to pass on to the client. */
export function passableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.includes(name)) out[name] = value;
  return out;
}
