// `depfence pin` for requirements files: `NAME[extras]==VERSION` lines (with markers and `--hash`
// options, continued over lines with `\` as pip reads them) whose version the age gate holds back
// are moved to the newest version allowed now that the file's other specifiers on that name
// accept; `--hash` options are replaced by the new version's file digests. Included files (`-r`,
// `-c`) are not followed: pin each file on its own. Pure: the answers come in, new text goes out.
import * as pep440 from '@renovatebot/pep440';
import { normalizePypiName } from '../../names/index.js';
import { PinRefusal, type HeldPin, type PinChange, type VersionChooser } from './types.js';

export interface RequirementPin {
  /** `requirements.txt:4` */
  path: string;
  name: string;
  version: string;
  /** Index of the logical line in `logicalLines`. */
  line: number;
}

interface LogicalLine {
  /** The physical lines it spans (`\` continuations joined by pip). */
  first: number;
  last: number;
  text: string;
}

const PINNED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s,;\\]+)\s*(;[^#]*?)?\s*((?:\s--hash[=\s]\S+)*)\s*$/;
const NAMED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)/;

export function requirementPins(text: string, label: string): RequirementPin[] {
  const pins: RequirementPin[] = [];
  logicalLines(text).forEach((line, index) => {
    const match = PINNED.exec(line.text);
    if (match && !match[3]!.includes('*')) pins.push({ path: `${label}:${line.first + 1}`, name: match[1]!, version: match[3]!, line: index });
  });
  return pins;
}

/** The text with the held pins moved; hashes come from `hashesOf` (null: the version has no sha256 digests). */
export function pinRequirements(
  text: string,
  held: ReadonlyArray<HeldPin & { line: number }>,
  choose: VersionChooser,
  hashesOf: (name: string, version: string) => string[] | null,
): { text: string; changes: PinChange[] } {
  const lines = logicalLines(text);
  const physical = text.split('\n');
  const changes: PinChange[] = [];
  const replacements = new Map<number, string>();
  for (const pin of held) {
    const specifiers = otherSpecifiers(lines, pin.name, pin.line);
    const accepts = (version: string) => specifiers.every((specifier) => pep440.satisfies(version, specifier));
    const chosen = choose(pin, accepts);
    if (chosen === null) {
      const declared = specifiers.length > 0 ? ` that ${specifiers.join(', ')} accepts` : '';
      throw new PinRefusal(`${pin.name}==${pin.version} (${pin.path}) is held back and no version${declared} is allowed now; wait until ${pin.allowedFrom}`);
    }
    const line = lines[pin.line]!;
    const match = PINNED.exec(line.text)!;
    const [, name, extras = '', , marker = '', hashOptions = ''] = match;
    let rewritten = `${name}${extras}==${chosen}${marker ? ` ${marker.trim()}` : ''}`;
    if (hashOptions.trim() !== '') {
      const hashes = hashesOf(pin.name, chosen);
      if (hashes === null || hashes.length === 0) throw new PinRefusal(`${pin.path} checks hashes, but no sha256 digests of ${pin.name} ${chosen} could be had; pin it by hand`);
      rewritten += hashes.map((hash) => ` \\\n    --hash=sha256:${hash}`).join('');
    }
    replacements.set(line.first, rewritten);
    for (let index = line.first + 1; index <= line.last; index++) replacements.set(index, '\0');
    changes.push({ where: pin.path, name: pin.name, from: pin.version, to: chosen, reason: pin.reason });
  }
  const out = physical.flatMap((original, index) => {
    const replacement = replacements.get(index);
    if (replacement === undefined) return [original];
    return replacement === '\0' ? [] : [replacement + (original.endsWith('\r') ? '\r' : '')];
  });
  return { text: out.join('\n'), changes };
}

/** Version specifiers the file puts on the same project on other lines (`name>=2`, `name<3`). */
function otherSpecifiers(lines: readonly LogicalLine[], name: string, except: number): string[] {
  const wanted = normalizePypiName(name);
  const specifiers: string[] = [];
  lines.forEach((line, index) => {
    if (index === except) return;
    const match = NAMED.exec(line.text);
    if (!match || normalizePypiName(match[1]!) !== wanted) return;
    const specifier = match[2]!.replace(/\s--hash[=\s]\S+/g, '').trim();
    if (specifier !== '') specifiers.push(specifier);
  });
  return specifiers;
}

/** pip's logical lines: `\` at the end of a line joins the next; comments and blank lines dropped. */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const lines: LogicalLine[] = [];
  for (let index = 0; index < physical.length; index++) {
    const first = index;
    let joined = physical[index]!;
    while (joined.endsWith('\\') && index + 1 < physical.length) joined = `${joined.slice(0, -1)} ${physical[++index]!}`;
    const content = joined.replace(/(^|\s)#.*$/, '').trim();
    if (content !== '') lines.push({ first, last: index, text: content });
  }
  return lines;
}
