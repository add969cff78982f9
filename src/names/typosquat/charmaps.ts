// Character relations the typo rules name: look-alikes and QWERTY neighbours. Package names are ASCII
// (npm and PyPI both refuse anything else), so no Unicode confusables are needed.

/** Single characters that look alike in common fonts (after lowercasing: `I` → `i` looks like `l`). */
const LOOKALIKE_PAIRS: readonly (readonly [string, string])[] = [
  ['0', 'o'],
  ['1', 'l'],
  ['1', 'i'],
  ['l', 'i'],
  ['5', 's'],
  ['3', 'e'],
  ['4', 'a'],
  ['8', 'b'],
  ['6', 'b'],
  ['6', 'g'],
  ['9', 'g'],
  ['9', 'q'],
  ['7', 't'],
  ['2', 'z'],
  ['u', 'v'],
];

/**
 * Character sequences that look like a single character: `rn` → `m`, `vv` → `w`, `cl` → `d`. Like the
 * letter-for-letter look-alikes they are `likely` edits (gates.ts), not strict: `yam` is not `yarn`.
 */
export const LOOKALIKE_SEQUENCES: readonly (readonly [single: string, sequence: string])[] = [
  ['m', 'rn'],
  ['w', 'vv'],
  ['d', 'cl'],
];

const QWERTY_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

function pairKey(a: string, b: string): string {
  return a < b ? a + b : b + a;
}

const lookalikes = new Set(LOOKALIKE_PAIRS.map(([a, b]) => pairKey(a, b)));

const neighbours = new Set<string>();
for (let row = 0; row < QWERTY_ROWS.length; row++) {
  const keys = QWERTY_ROWS[row]!;
  const below = QWERTY_ROWS[row + 1] ?? '';
  for (let col = 0; col < keys.length; col++) {
    const key = keys[col]!;
    if (col + 1 < keys.length) neighbours.add(pairKey(key, keys[col + 1]!));
    // Rows are staggered: a key touches the key below it and the one below-left.
    for (const c of [col - 1, col]) if (below[c]) neighbours.add(pairKey(key, below[c]));
  }
}
neighbours.add(pairKey('y', 'z')); // QWERTZ swaps them

export function isLookalike(a: string, b: string): boolean {
  return lookalikes.has(pairKey(a, b));
}

export function isKeyboardNeighbour(a: string, b: string): boolean {
  return neighbours.has(pairKey(a, b));
}

export function isVowel(char: string): boolean {
  return char.length === 1 && 'aeiou'.includes(char);
}

export function isSeparator(char: string | undefined): boolean {
  return char === '-' || char === '.' || char === '_';
}

const SEPARATORS = /[-._]+/g;

export function stripSeparators(name: string): string {
  return name.replace(SEPARATORS, '');
}

export function splitWords(name: string): string[] {
  const words = name.split(SEPARATORS);
  // A run of separators is one split, so an empty word can only be first or last.
  return words[0] === '' || words[words.length - 1] === '' ? words.filter((word) => word.length > 0) : words;
}
