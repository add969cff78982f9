// pyproject.toml and uv.toml: uv's index and source settings ([[tool.uv.index]], [[index]],
// index-url, extra-index-url, find-links, tool.uv.sources with a url or git) and direct URL
// dependencies (`name @ https://…`), which pip and uv fetch around any index. TOML is parsed
// with smol-toml, loaded only when such a file is read.
import { readFileSync } from 'node:fs';
import { classifyRequirement } from '../inputs/requirement.js';
import { addSource } from './requirements.js';
import { lineOf, type SourceSetting } from './settings.js';

export interface TomlScan {
  trusted: readonly string[];
  display: (file: string) => string;
  settings: SourceSetting[];
}

type Table = Record<string, unknown>;

const INDEX_WHY = 'uv consults indexes declared in configuration before its default index (the firewall)';
const SOURCE_WHY = 'a package source that is not an index: uv downloads it directly, around the firewall';
const DIRECT_WHY = 'a direct URL dependency is downloaded from that URL, around the firewall';

/** Reads a TOML file; null when it is missing or invalid (the tool reports that itself). */
async function readToml(file: string): Promise<{ text: string; data: Table } | null> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const { parse } = await import('smol-toml');
  try {
    return { text, data: parse(text) };
  } catch {
    return null;
  }
}

/**
 * uv's settings in a pyproject.toml (`[tool.uv]`) or a uv.toml (top level), and, with
 * `dependencies`, direct URL dependencies in `[project]` and `[dependency-groups]`.
 */
export async function scanTomlFile(file: string, kind: 'pyproject' | 'uv.toml', scan: TomlScan, options: { uvSettings: boolean; dependencies: boolean }): Promise<void> {
  const toml = await readToml(file);
  if (!toml) return;
  const { text, data } = toml;
  const at = (needle: string) => `${scan.display(file)}:${lineOf(text, needle)}`;
  const prefix = kind === 'pyproject' ? 'tool.uv.' : '';
  const uv = kind === 'pyproject' ? table(table(data.tool).uv) : data;
  if (options.uvSettings) {
    for (const entry of array(uv.index)) {
      const url = typeof table(entry).url === 'string' ? (table(entry).url as string) : '';
      addSource(scan, { setting: kind === 'pyproject' ? '[[tool.uv.index]]' : '[[index]]', value: url, origin: at(url || 'index'), action: 'refuse', why: INDEX_WHY });
    }
    for (const where of [uv, table(uv.pip)]) {
      const section = where === uv ? prefix : `${prefix}pip.`;
      for (const key of ['index-url', 'extra-index-url', 'find-links']) {
        for (const value of strings(where[key])) {
          addSource(scan, { setting: `${section}${key}`, value, origin: at(value), action: 'refuse', why: INDEX_WHY });
        }
      }
    }
    for (const [name, source] of Object.entries(table(uv.sources))) {
      for (const entry of Array.isArray(source) ? source : [source]) {
        const fields = table(entry);
        for (const key of ['url', 'git'] as const) {
          const value = fields[key];
          if (typeof value === 'string') addSource(scan, { setting: `${prefix}sources.${name}`, value, origin: at(value), action: 'refuse', why: SOURCE_WHY });
        }
      }
    }
  }
  if (options.dependencies && kind === 'pyproject') {
    const project = table(data.project);
    const lists = [
      ...strings(project.dependencies).map((dependency) => ['project.dependencies', dependency] as const),
      ...Object.entries(table(project['optional-dependencies'])).flatMap(([extra, list]) => strings(list).map((dependency) => [`project.optional-dependencies.${extra}`, dependency] as const)),
      ...Object.entries(table(data['dependency-groups'])).flatMap(([group, list]) => strings(list).map((dependency) => [`dependency-groups.${group}`, dependency] as const)),
      ...strings(table(data['build-system']).requires).map((dependency) => ['build-system.requires', dependency] as const),
      ...strings(uv['dev-dependencies']).map((dependency) => [`${prefix}dev-dependencies`, dependency] as const),
    ];
    for (const [setting, dependency] of lists) {
      const target = classifyRequirement(dependency);
      if (target.kind === 'url') addSource(scan, { setting, value: target.url, origin: at(target.url), action: 'refuse', why: DIRECT_WHY });
    }
  }
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
