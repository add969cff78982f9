// Names a single-character edit between a candidate and a popular name: which rule it is, how to say
// it, and how telling it is (which decides the name lengths it counts at).
import { isKeyboardNeighbour, isLookalike, isSeparator, isVowel } from './charmaps.js';
import type { EditKind } from './deletion-index.js';
import type { TyposquatRule } from './types.js';

/**
 * How telling an edit is, which decides the name lengths it counts at (gates.ts):
 * - `strict`: rarely an accident of naming: a digit for a look-alike letter, a doubled letter, a separator;
 * - `likely`: a common slip: a letter left out, added or swapped, a neighbouring key, a vowel for a
 *   vowel, a letter for a look-alike letter;
 * - `loose`: any other substitution, and a digit for another digit (usually another major version:
 *   `elasticsearch7`, `cupy-cuda11x`);
 * - `naming`: a letter put in front of a name or taken from its front, or a letter for a separator:
 *   how new packages are named
 *   (`preact`, `gaxios`, `grequests`, `aiocache`/`cachecontrol`), rarely a slip. Never a typo alone,
 *   but a resemblance (`xlodash`, `treact`) from medium lengths on.
 */
export type EditStrength = 'strict' | 'likely' | 'loose' | 'naming';

export interface DescribedEdit {
  rule: TyposquatRule;
  detail: string;
  strength: EditStrength;
}

function isDoubled(text: string, position: number): boolean {
  const char = text[position];
  return text[position - 1] === char || text[position + 1] === char;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

/**
 * Describes the edit that turns `target` into `candidate`. `position` is where it happened: in the
 * target for `omitted`, in the candidate otherwise (as reported by DeletionIndex.edits).
 */
export function describeEdit(candidate: string, target: string, kind: EditKind, position: number): DescribedEdit {
  switch (kind) {
    case 'omitted': {
      const char = target[position]!;
      if (isSeparator(char)) return { rule: 'separator', detail: `dropped '${char}'`, strength: 'strict' };
      if (isDoubled(target, position)) {
        return { rule: 'omitted-char', detail: `dropped one '${char}' of '${char}${char}'`, strength: 'strict' };
      }
      if (isDigit(char) && position === target.length - 1) {
        return { rule: 'version-suffix', detail: `dropped version suffix '${char}'`, strength: 'likely' };
      }
      if (position === 0) return { rule: 'leading-char', detail: `dropped the leading '${char}'`, strength: 'naming' };
      return { rule: 'omitted-char', detail: `omitted '${char}'`, strength: 'likely' };
    }
    case 'inserted': {
      const char = candidate[position]!;
      if (isSeparator(char)) return { rule: 'separator', detail: `added '${char}'`, strength: 'strict' };
      if (isDoubled(candidate, position)) return { rule: 'repeated-char', detail: `repeated '${char}'`, strength: 'strict' };
      if (isDigit(char) && position === candidate.length - 1) {
        return { rule: 'version-suffix', detail: `added version suffix '${char}'`, strength: 'likely' };
      }
      if (position === 0) return { rule: 'leading-char', detail: `'${char}' put in front`, strength: 'naming' };
      return { rule: 'inserted-char', detail: `inserted '${char}'`, strength: 'likely' };
    }
    case 'substituted': {
      const used = candidate[position]!;
      const meant = target[position]!;
      if (isSeparator(used) && isSeparator(meant)) {
        return { rule: 'separator', detail: `'${used}' instead of '${meant}'`, strength: 'strict' };
      }
      // A letter where a separator was, or the reverse, joins or splits words (`isostring`,
      // `is-string`): how names are made, not a slip of the finger.
      if (isSeparator(used) || isSeparator(meant)) {
        return { rule: 'substituted-char', detail: `'${used}' instead of '${meant}'`, strength: 'naming' };
      }
      if (isLookalike(used, meant)) {
        const strength = isDigit(used) || isDigit(meant) ? 'strict' : 'likely';
        return { rule: 'homoglyph', detail: `'${used}' instead of look-alike '${meant}'`, strength };
      }
      if (isDigit(used) && isDigit(meant)) {
        return { rule: 'substituted-char', detail: `'${used}' instead of '${meant}'`, strength: 'loose' };
      }
      if (isKeyboardNeighbour(used, meant)) {
        return { rule: 'substituted-char', detail: `'${used}' instead of '${meant}' (neighbouring key)`, strength: 'likely' };
      }
      const strength = isVowel(used) && isVowel(meant) ? 'likely' : 'loose';
      return { rule: 'substituted-char', detail: `'${used}' instead of '${meant}'`, strength };
    }
    case 'swapped':
      return {
        rule: 'swapped-chars',
        detail: `swapped '${candidate[position]}' and '${candidate[position + 1]}'`,
        strength: 'likely',
      };
  }
}
