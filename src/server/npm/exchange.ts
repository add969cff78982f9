// Asking the embedded Verdaccio on the client's behalf, with a request and response of depfence's
// own: Verdaccio never touches the client's connection, so nothing it does (a late second error,
// Express's final handler destroying "its" socket) can cut off the answer depfence sends, and what
// it answers is recorded (capture.ts) for depfence to judge first.
import { Duplex } from 'node:stream';
import { IncomingMessage, ServerResponse, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { recordResponse, type CapturedResponse } from './capture.js';
import type { EmbeddedVerdaccio } from './verdaccio.js';

export interface ExchangeOptions {
  /** The headers Verdaccio sees (the client's, possibly changed). */
  headers: IncomingHttpHeaders;
  limitBytes: number;
  /** The path and query Verdaccio is asked for, when not the client's own. */
  url?: string;
}

export function exchange(verdaccio: EmbeddedVerdaccio, client: IncomingMessage, clientRes: ServerResponse, options: ExchangeOptions): Promise<CapturedResponse> {
  const socket = detachedSocket(client);
  const req = new IncomingMessage(socket);
  req.method = client.method ?? 'GET';
  req.url = options.url ?? client.url ?? '/';
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = { ...options.headers };
  req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : value === undefined ? [] : [name, value]));
  req.complete = true;
  req.push(null); // GET and HEAD only: no body
  const res = new ServerResponse(req);
  const recorded = recordResponse(res, options.limitBytes);
  let abandon = () => {};
  // If the client goes away first, stop waiting, and let Verdaccio notice (and stop fetching).
  const abandoned = new Promise<never>((_, reject) => {
    abandon = () => {
      reject(Object.assign(new Error('the client closed the connection'), { code: 'ECLIENTGONE' }));
      req.destroy();
      res.emit('close');
    };
  });
  // The client's response closes before depfence answered only if the connection went away.
  clientRes.once('close', abandon);
  // Anything that falls through Verdaccio's own handlers (a late second error for an answer already
  // given) ends here instead of in Express's final handler, which would log it to the console.
  verdaccio.handle(req, res, () => {
    if (!res.writableEnded) res.end();
  });
  return Promise.race([recorded, abandoned]).finally(() => clientRes.off('close', abandon));
}

/** Did the exchange fail because the client left (nothing to answer) or because the answer was too big? */
export function isClientGone(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ECLIENTGONE';
}

/** A stand-in socket: the client's addresses (Verdaccio reads them), no I/O. */
function detachedSocket(client: IncomingMessage): Socket {
  const socket = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
  Object.assign(socket, {
    remoteAddress: client.socket.remoteAddress,
    remotePort: client.socket.remotePort,
    localAddress: client.socket.localAddress,
    localPort: client.socket.localPort,
    encrypted: (client.socket as { encrypted?: boolean }).encrypted ?? false,
    setTimeout: () => socket,
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
  });
  return socket as unknown as Socket;
}
