// Advisories parked on disk while an export is read: each one is appended to a scratch file as
// JSON, and memory keeps only each package's key and where its advisories lie in the file. The
// index is then written in key order by reading them back. So an update's memory grows with the
// number of packages, not with the size of the records (hundreds of thousands of them).
//
// Nothing parked lives long on the JavaScript heap: an advisory is copied into a write buffer as
// it comes (see buffered-writer.ts), and the places are numbers in typed arrays, not an array per
// package.
import { closeSync, openSync, readSync } from 'node:fs';
import { BufferedWriter } from './buffered-writer.js';

const NO_PLACE = -1;

export class AdvisorySpill {
  readonly #fd: number;
  /** key → its newest place (a slot in the arrays below). */
  readonly #newest = new Map<string, number>();
  /** Per place: its offset and length in the file, and the same key's previous place (or NO_PLACE). */
  #offsets = new Float64Array(1024);
  #lengths = new Uint32Array(1024);
  #previous = new Int32Array(1024);
  #places = 0;
  readonly #writer: BufferedWriter;

  constructor(file: string) {
    this.#fd = openSync(file, 'w+');
    this.#writer = new BufferedWriter(this.#fd);
  }

  /** Parks one advisory (already JSON) under `key`; returns its place, to revise it later. */
  add(key: string, json: string): number {
    const place = this.#newPlace();
    this.#offsets[place] = this.#writer.size;
    this.#lengths[place] = this.#writer.write(json);
    this.#previous[place] = this.#newest.get(key) ?? NO_PLACE;
    this.#newest.set(key, place);
    return place;
  }

  get keys(): number {
    return this.#newest.size;
  }

  /** Every key in `order`, with its advisories read back in the order they were parked (each passed through `revise`). */
  *entries(order: (a: string, b: string) => number, revise: (place: number, json: string) => string): Generator<[string, string[]]> {
    this.#writer.flush();
    let buffer = Buffer.alloc(64 * 1024);
    for (const key of [...this.#newest.keys()].sort(order)) {
      const places: number[] = [];
      for (let place = this.#newest.get(key)!; place !== NO_PLACE; place = this.#previous[place]!) places.push(place);
      const jsons: string[] = [];
      for (const place of places.reverse()) {
        const [offset, length] = [this.#offsets[place]!, this.#lengths[place]!];
        if (length > buffer.length) buffer = Buffer.alloc(length);
        for (let read = 0; read < length;) read += readSync(this.#fd, buffer, read, length - read, offset + read);
        jsons.push(revise(place, buffer.toString('utf8', 0, length)));
      }
      yield [key, jsons];
    }
  }

  close(): void {
    closeSync(this.#fd);
  }

  #newPlace(): number {
    if (this.#places === this.#offsets.length) {
      const grow = <T extends Float64Array | Uint32Array | Int32Array>(old: T, make: (length: number) => T): T => {
        const bigger = make(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.#offsets = grow(this.#offsets, (length) => new Float64Array(length));
      this.#lengths = grow(this.#lengths, (length) => new Uint32Array(length));
      this.#previous = grow(this.#previous, (length) => new Int32Array(length));
    }
    return this.#places++;
  }
}
