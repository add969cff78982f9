// Optimal-string-alignment distance 1 lookups against a fixed set of keys, without scanning them.
//
// Every key is stored whole and with each single character deleted (with the deleted position). A
// query of length n then needs n + 1 probes:
// - the query is a key with one character deleted              → `omitted` (position in the key);
// - the query with character i deleted is a whole key           → `inserted` (position i in the query);
// - query and key with character i deleted are equal            → `substituted` (position i);
// - the query without character i is the key without i + 1, and
//   the two characters are crossed                              → `swapped` (position i).
//
// The variants are stored by a polynomial hash, not as strings: the hash of every one-deletion variant
// of the query comes from its prefix and suffix hashes in O(1), without building the string. Every
// probe hit is then checked against the key itself, so a hash collision costs a comparison, never a
// wrong answer. The (hash, id and position) pairs live in typed arrays, in the order they were
// added, and an open-addressing table over them is built at the first lookup: no object per
// variant, so building the index of 15,000 names takes milliseconds and little memory.

export type EditKind = 'omitted' | 'inserted' | 'substituted' | 'swapped';

export type EditVisitor = (id: number, kind: EditKind, position: number) => void;

/** Key lengths stay below this (names are at most 214 characters), so position and id share a number. */
const POSITIONS = 256;
/** The position recorded for a key stored whole. */
const WHOLE = POSITIONS - 1;

const BASE = 0x01000193;
const POWERS = new Int32Array(POSITIONS);
POWERS[0] = 1;
for (let i = 1; i < POSITIONS; i++) POWERS[i] = Math.imul(POWERS[i - 1]!, BASE);

/** Hashes of text[0, i) and of text[i, n), for every i (reused buffers: one query at a time). */
const prefix = new Int32Array(POSITIONS + 1);
const suffix = new Int32Array(POSITIONS + 1);

function hashParts(text: string): void {
  const n = text.length;
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = (Math.imul(prefix[i]!, BASE) + text.charCodeAt(i)) | 0;
  suffix[n] = 0;
  for (let i = n - 1; i >= 0; i--) suffix[i] = (Math.imul(text.charCodeAt(i), POWERS[n - 1 - i]!) + suffix[i + 1]!) | 0;
}

/** The hash of `text` (as hashed by hashParts) with character `i` deleted. */
function deletedHash(n: number, i: number): number {
  return (Math.imul(prefix[i]!, POWERS[n - 1 - i]!) + suffix[i + 1]!) | 0;
}

/** Whether a with its character at `skipA` removed equals b with its character at `skipB` removed. */
function equalExcept(a: string, skipA: number, b: string, skipB: number): boolean {
  if (a.length - (skipA < 0 ? 0 : 1) !== b.length - (skipB < 0 ? 0 : 1)) return false;
  for (let i = 0, j = 0; i < a.length; i++, j++) {
    if (i === skipA) i++;
    if (j === skipB) j++;
    if (i < a.length && a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  }
  return true;
}

export class DeletionIndex {
  private readonly keys: string[] = [];
  /** Every stored variant, in the order added: its hash and its code (id * POSITIONS + position). */
  private hashes = new Int32Array(1024);
  private codes = new Int32Array(1024);
  private count = 0;
  /** Open addressing over the variants: slot → variant number + 1 (0: empty); rebuilt after an add. */
  private slots: Int32Array | null = null;

  /** Indexes `key` under `id` (one key per id; several ids may share a key). */
  add(key: string, id: number): void {
    if (key.length >= WHOLE) return;
    this.keys[id] = key;
    this.slots = null;
    hashParts(key);
    this.store(prefix[key.length]!, id * POSITIONS + WHOLE);
    for (let i = 0; i < key.length; i++) this.store(deletedHash(key.length, i), id * POSITIONS + i);
  }

  /** Calls `visit` for each id whose key is `key`. */
  exact(key: string, visit: (id: number) => void): void {
    if (key.length >= WHOLE) return;
    hashParts(key);
    this.forEach(prefix[key.length]!, (id, position) => {
      if (position === WHOLE && this.keys[id] === key) visit(id);
    });
  }

  /** Calls `visit` for each key at OSA distance exactly 1 from `query` (possibly more than once). */
  edits(query: string, visit: EditVisitor): void {
    const n = query.length;
    if (n >= WHOLE) return;
    hashParts(query);
    const deleted = new Int32Array(n);
    for (let i = 0; i < n; i++) deleted[i] = deletedHash(n, i);
    this.forEach(prefix[n]!, (id, position) => {
      if (position !== WHOLE && equalExcept(this.keys[id]!, position, query, -1)) visit(id, 'omitted', position);
    });
    for (let i = 0; i < n; i++) {
      this.forEach(deleted[i]!, (id, position) => {
        const key = this.keys[id]!;
        if (position === WHOLE) {
          if (equalExcept(query, i, key, -1)) visit(id, 'inserted', i);
        } else if (position === i) {
          if (key.charCodeAt(i) !== query.charCodeAt(i) && equalExcept(query, i, key, i)) visit(id, 'substituted', i);
        } else if (position === i + 1) {
          if (key[i] === query[i + 1] && key[i + 1] === query[i] && query[i] !== query[i + 1] && equalExcept(query, i, key, i + 1)) {
            visit(id, 'swapped', i);
          }
        }
      });
    }
  }

  private store(hash: number, code: number): void {
    if (this.count === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.codes = grow(this.codes);
    }
    this.hashes[this.count] = hash;
    this.codes[this.count] = code;
    this.count++;
  }

  /** Builds the lookup table now (otherwise the first lookup after an add builds it). */
  prepare(): void {
    this.slots ??= this.buildSlots();
  }

  /** Visits the variants stored under `hash`, in the order they were added. */
  private forEach(hash: number, visit: (id: number, position: number) => void): void {
    const slots = (this.slots ??= this.buildSlots());
    const mask = slots.length - 1;
    for (let slot = home(hash, mask); slots[slot] !== 0; slot = (slot + 1) & mask) {
      const variant = slots[slot]! - 1;
      if (this.hashes[variant] !== hash) continue;
      const code = this.codes[variant]!;
      visit(Math.floor(code / POSITIONS), code % POSITIONS);
    }
  }

  /** At most half full; variants go in in the order added, so equal hashes are met in that order. */
  private buildSlots(): Int32Array {
    const slots = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, this.count * 2))));
    const mask = slots.length - 1;
    for (let variant = 0; variant < this.count; variant++) {
      let slot = home(this.hashes[variant]!, mask);
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = variant + 1;
    }
    return slots;
  }
}

/** A hash's first slot: its bits mixed (Fibonacci hashing), so similar hashes spread out. */
function home(hash: number, mask: number): number {
  return (Math.imul(hash, 0x9e3779b1) >>> 7) & mask;
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2);
  larger.set(array);
  return larger;
}
