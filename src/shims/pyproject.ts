// pyproject.toml and uv.toml (read by src/inputs/uv-config.ts): uv's index and source settings and
// direct URL dependencies (`name @ https://…`), which pip and uv fetch around any index, are
// reported as sources to refuse (unless trusted).
import { readUvConfig, type UvConfigKind } from '../inputs/uv-config.js';
import { addSource } from './requirements.js';
import type { SourceSetting } from './settings.js';

export interface TomlScan {
  trusted: readonly string[];
  display: (file: string) => string;
  settings: SourceSetting[];
}

const INDEX_WHY = 'uv consults indexes declared in configuration before its default index (the firewall)';
const SOURCE_WHY = 'a package source that is not an index: uv downloads it directly, around the firewall';
const DIRECT_WHY = 'a direct URL dependency is downloaded from that URL, around the firewall';

/**
 * uv's settings in a pyproject.toml (`[tool.uv]`) or a uv.toml (top level), and, with
 * `dependencies`, direct URL dependencies in `[project]` and `[dependency-groups]`.
 */
export async function scanTomlFile(
  file: string,
  kind: UvConfigKind,
  scan: TomlScan,
  options: { uvSettings: boolean; dependencies: boolean },
): Promise<void> {
  for (const entry of (await readUvConfig(file, kind)) ?? []) {
    const origin = `${scan.display(file)}:${entry.line}`;
    if (entry.kind === 'dependency') {
      if (options.dependencies && entry.target.kind === 'url')
        addSource(scan, { setting: entry.setting, value: entry.target.url, origin, action: 'refuse', why: DIRECT_WHY });
    } else if (options.uvSettings) {
      addSource(scan, {
        setting: entry.setting,
        value: entry.url,
        origin,
        action: 'refuse',
        why: entry.kind === 'index' ? INDEX_WHY : SOURCE_WHY,
      });
    }
  }
}
