// Limits shared by both ecosystems' name rules.

/** npm's limit, also used for PyPI (which has none of its own) so a name never gets unwieldy. */
export const MAX_NAME_LENGTH = 214;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** A path segment (between slashes, or at either end) that is `.` or `..`. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** The reason a name breaks a rule both ecosystems share, or null. */
export function sharedNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'The package name is not a string.';
  if (name.length === 0) return 'The package name is empty.';
  if (name.length > MAX_NAME_LENGTH) {
    return `The package name is ${name.length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`;
  }
  if (CONTROL_CHARACTER.test(name)) return 'The package name contains a control character.';
  if (name.includes('\\')) return "The package name contains a backslash ('\\'), a path separator.";
  if (DOT_SEGMENT.test(name)) return "The package name has a '.' or '..' path segment.";
  return null;
}
