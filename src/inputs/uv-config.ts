// pyproject.toml and uv.toml, as uv reads them (TOML parsed with smol-toml, loaded only when such
// a file is read): the package sources uv's settings name ([[tool.uv.index]] / [[index]],
// index-url, extra-index-url, find-links, also under `pip`; tool.uv.sources with a url or git)
// and, in a pyproject.toml, the dependencies it declares ([project], optional dependencies,
// dependency groups, build requirements, tool.uv.dev-dependencies), each with its line.
// The shims apply their policy to the entries.
import { readFileSync } from 'node:fs';
import { classifyRequirement, type RequirementTarget } from './requirement.js';

export type UvConfigKind = 'pyproject' | 'uv.toml';

export type UvConfigEntry =
  /** An index or find-links location (`setting` as written: `[[tool.uv.index]]`, `tool.uv.pip.extra-index-url`…). */
  | { kind: 'index'; setting: string; url: string; line: number }
  /** A tool.uv.sources entry with a url or git location. */
  | { kind: 'source'; setting: string; url: string; line: number }
  /** A declared dependency (pyproject.toml only). */
  | { kind: 'dependency'; setting: string; requirement: string; target: RequirementTarget; line: number };

type Table = Record<string, unknown>;

/** The file's entries; null when it is missing or not valid TOML (uv reports that itself). */
export async function readUvConfig(file: string, kind: UvConfigKind): Promise<UvConfigEntry[] | null> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const { parse } = await import('smol-toml');
  let data: Table;
  try {
    data = parse(text);
  } catch {
    return null;
  }
  const line = (needle: string) => lineOf(text, needle);
  const prefix = kind === 'pyproject' ? 'tool.uv.' : '';
  const uv = kind === 'pyproject' ? table(table(data.tool).uv) : data;
  const entries: UvConfigEntry[] = [];
  for (const entry of array(uv.index)) {
    const url = typeof table(entry).url === 'string' ? (table(entry).url as string) : '';
    entries.push({ kind: 'index', setting: kind === 'pyproject' ? '[[tool.uv.index]]' : '[[index]]', url, line: line(url || 'index') });
  }
  for (const where of [uv, table(uv.pip)]) {
    const section = where === uv ? prefix : `${prefix}pip.`;
    for (const key of ['index-url', 'extra-index-url', 'find-links']) {
      for (const url of strings(where[key])) entries.push({ kind: 'index', setting: `${section}${key}`, url, line: line(url) });
    }
  }
  for (const [name, source] of Object.entries(table(uv.sources))) {
    for (const entry of Array.isArray(source) ? source : [source]) {
      for (const key of ['url', 'git'] as const) {
        const url = table(entry)[key];
        if (typeof url === 'string') entries.push({ kind: 'source', setting: `${prefix}sources.${name}`, url, line: line(url) });
      }
    }
  }
  if (kind === 'pyproject') {
    const project = table(data.project);
    const lists = [
      ...strings(project.dependencies).map((dependency) => ['project.dependencies', dependency] as const),
      ...Object.entries(table(project['optional-dependencies'])).flatMap(([extra, list]) =>
        strings(list).map((dependency) => [`project.optional-dependencies.${extra}`, dependency] as const),
      ),
      ...Object.entries(table(data['dependency-groups'])).flatMap(([group, list]) =>
        strings(list).map((dependency) => [`dependency-groups.${group}`, dependency] as const),
      ),
      ...strings(table(data['build-system']).requires).map((dependency) => ['build-system.requires', dependency] as const),
      ...strings(uv['dev-dependencies']).map((dependency) => [`${prefix}dev-dependencies`, dependency] as const),
    ];
    for (const [setting, requirement] of lists) {
      const target = classifyRequirement(requirement);
      entries.push({ kind: 'dependency', setting, requirement, target, line: line(target.kind === 'url' ? target.url : requirement) });
    }
  }
  return entries;
}

/** The 1-based line where `needle` first appears (1 when it does not). */
function lineOf(text: string, needle: string): number {
  const index = needle ? text.indexOf(needle) : -1;
  return index === -1 ? 1 : text.slice(0, index).split('\n').length;
}

function table(value: unknown): Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Table) : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
