// Writes a response stream to a file as it arrives, with backpressure and a size cap: the one
// streaming loop behind artifact downloads and feed downloads, so nothing large is held in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';

export interface StreamToFileOptions {
  maxBytes: number;
  /** The error thrown (after the stream is destroyed) once more than maxBytes arrived. */
  tooLarge(): Error;
  /** Sees each chunk before it is written (hashing). */
  onChunk?(chunk: Buffer): void;
}

/** The number of bytes written. On any failure the file stream is destroyed and the error thrown. */
export async function streamToFile(stream: Readable, file: string, options: StreamToFileOptions): Promise<number> {
  const out = createWriteStream(file);
  // Without a listener, a write still pending when a broken download destroys the file stream
  // is reported as an unhandled 'error' event, which ends the whole process.
  // (The assertion keeps TypeScript from taking it for always null: the listener sets it.)
  let writeError = null as Error | null;
  out.on('error', (error) => {
    writeError ??= error;
  });
  let received = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > options.maxBytes) {
        stream.destroy();
        throw options.tooLarge();
      }
      options.onChunk?.(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } catch (error) {
    out.destroy();
    throw error;
  }
  out.end();
  await once(out, 'close');
  if (writeError) throw writeError;
  return received;
}
