// Advisories parked on disk while an export is read: each one is appended to a scratch file as
// JSON, and memory keeps only each package's key and where its advisories lie in the file. The
// index is then written in key order by reading them back. So an update's memory grows with the
// number of packages, not with the size of the records (hundreds of thousands of them).
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

export class AdvisorySpill {
  readonly #fd: number;
  /** key → [offset, length, offset, length, …] of its advisories in the file. */
  readonly #places = new Map<string, number[]>();
  #pending: string[] = [];
  #pendingBytes = 0;
  #size = 0;

  constructor(file: string) {
    this.#fd = openSync(file, 'w+');
  }

  /** Parks one advisory (already JSON) under `key`; returns its place, to revise it later. */
  add(key: string, json: string): number {
    const bytes = Buffer.byteLength(json);
    const offset = this.#size;
    let places = this.#places.get(key);
    if (!places) this.#places.set(key, (places = []));
    places.push(offset, bytes);
    this.#pending.push(json);
    this.#pendingBytes += bytes;
    this.#size += bytes;
    if (this.#pendingBytes > 1 << 20) this.#flush();
    return offset;
  }

  get keys(): number {
    return this.#places.size;
  }

  /** Every key in `order`, with its advisories read back (each passed through `revise`). */
  *entries(order: (a: string, b: string) => number, revise: (offset: number, json: string) => string): Generator<[string, string[]]> {
    this.#flush();
    let buffer = Buffer.alloc(64 * 1024);
    for (const key of [...this.#places.keys()].sort(order)) {
      const places = this.#places.get(key)!;
      const jsons: string[] = [];
      for (let i = 0; i < places.length; i += 2) {
        const [offset, length] = [places[i]!, places[i + 1]!];
        if (length > buffer.length) buffer = Buffer.alloc(length);
        for (let read = 0; read < length; ) read += readSync(this.#fd, buffer, read, length - read, offset + read);
        jsons.push(revise(offset, buffer.toString('utf8', 0, length)));
      }
      yield [key, jsons];
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(''));
    for (let at = 0; at < data.length; ) at += writeSync(this.#fd, data, at, data.length - at, this.#size - this.#pendingBytes + at);
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
