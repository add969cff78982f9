// Appends text and bytes to an open file through one reused buffer. Text is copied into the buffer
// as it comes, so no string waits on the heap for a flush: waiting strings outlive two
// young-generation collections, get promoted, and then grow the old generation by the size of
// everything written between full collections (for an OSV export, hundreds of MiB).
import { writeSync } from 'node:fs';

const BUFFER_BYTES = 1 << 20;

export class BufferedWriter {
  #buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  #buffered = 0;
  #written = 0;

  constructor(private readonly fd: number) {}

  /** Bytes written so far, flushed or not: where the next write starts in the file. */
  get size(): number {
    return this.#written + this.#buffered;
  }

  /** Appends `data`; returns its length in bytes. */
  write(data: string | Buffer): number {
    if (typeof data !== 'string') {
      this.flush();
      this.#writeAll(data, data.length);
      return data.length;
    }
    const length = Buffer.byteLength(data);
    if (this.#buffered + length > this.#buffer.length) this.flush();
    if (length > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(length);
    this.#buffer.write(data, this.#buffered);
    this.#buffered += length;
    return length;
  }

  flush(): void {
    const length = this.#buffered;
    this.#buffered = 0;
    this.#writeAll(this.#buffer, length);
  }

  #writeAll(data: Buffer, length: number): void {
    for (let at = 0; at < length;) at += writeSync(this.fd, data, at, length - at, this.#written + at);
    this.#written += length;
  }
}
