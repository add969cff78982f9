// `depfence pin` for requirements files: `NAME[extras]==VERSION` lines (with markers and `--hash`
// options, read by src/inputs/requirements.ts as pip reads them) whose version the age gate holds back
// are moved to the newest version allowed now that the file's other specifiers on that name
// accept; `--hash` options are replaced by the new version's file digests. Included files (`-r`,
// `-c`) are not followed: pin each file on its own. Pure: the answers come in, new text goes out.
import * as pep440 from '@renovatebot/pep440';
import { physicalLines, requirementEntries, requirementLines } from '../../inputs/requirements.js';
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
  /** The physical lines it spans (0-based; `\` continuations joined by pip). */
  first: number;
  last: number;
  /** The requirement and its options, comments stripped. */
  text: string;
}

const PINNED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s,;\\]+)\s*(;[^#]*?)?\s*((?:\s--hash[=\s]\S+)*)\s*$/;
const NAMED = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)/;

export function requirementPins(text: string, label: string): RequirementPin[] {
  const pins: RequirementPin[] = [];
  logicalLines(text).forEach((line, index) => {
    const match = PINNED.exec(line.text);
    if (match && !match[3]!.includes('*'))
      pins.push({ path: `${label}:${line.first + 1}`, name: match[1]!, version: match[3]!, line: index });
  });
  return pins;
}

/** The text with the held pins moved; hashes come from `hashesOf` (null: the version has no sha256 digests). */
export function pinRequirements(
  text: string,
  held: readonly (HeldPin & { line: number })[],
  choose: VersionChooser,
  hashesOf: (name: string, version: string) => string[] | null,
): { text: string; changes: PinChange[] } {
  const lines = logicalLines(text);
  const { lines: physical, breaks } = physicalLines(text);
  const changes: PinChange[] = [];
  /** By physical line: the new text of a rewritten logical line (ending with the break after its last line), or '' for the lines it replaces. */
  const replacements = new Map<number, string>();
  for (const pin of held) {
    const specifiers = otherSpecifiers(lines, pin.name, pin.line);
    const accepts = (version: string) => specifiers.every((specifier) => pep440.satisfies(version, specifier));
    const chosen = choose(pin, accepts);
    if (chosen === null) {
      const declared = specifiers.length > 0 ? ` that ${specifiers.join(', ')} accepts` : '';
      throw new PinRefusal(
        `${pin.name}==${pin.version} (${pin.path}) is held back and no version${declared} is allowed now; wait until ${pin.allowedFrom}`,
      );
    }
    const line = lines[pin.line]!;
    const match = PINNED.exec(line.text)!;
    const [, name, extras = '', , marker = '', hashOptions = ''] = match;
    let rewritten = `${name}${extras}==${chosen}${marker ? ` ${marker.trim()}` : ''}`;
    if (hashOptions.trim() !== '') {
      const hashes = hashesOf(pin.name, chosen);
      if (hashes === null || hashes.length === 0)
        throw new PinRefusal(`${pin.path} checks hashes, but no sha256 digests of ${pin.name} ${chosen} could be had; pin it by hand`);
      rewritten += hashes.map((hash) => ` \\\n    --hash=sha256:${hash}`).join('');
    }
    for (let index = line.first + 1; index <= line.last; index++) replacements.set(index, '');
    replacements.set(line.first, rewritten + (breaks[line.last] ?? ''));
    changes.push({ where: pin.path, name: pin.name, from: pin.version, to: chosen, reason: pin.reason });
  }
  const out = physical.map((original, index) => replacements.get(index) ?? original + (breaks[index] ?? ''));
  return { text: out.join(''), changes };
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

/** The file's requirement lines as pip reads them (comments, continuations, variables), with the physical lines each spans. */
function logicalLines(text: string): LogicalLine[] {
  return requirementEntries(requirementLines(text, process.env), '').flatMap((entry) =>
    entry.kind === 'requirement' && !entry.editable
      ? [{ first: entry.line - 1, last: entry.lastLine - 1, text: [entry.text, ...entry.options].join(' ') }]
      : [],
  );
}
