// The bundled defaults as the build wrote them (dist/config/default.json, by
// scripts/default-config.mjs): default.yaml's values with the sha256 of the text they were read
// from. A start on the defaults alone then never loads the YAML parser; they are used only while
// default.yaml still has that hash, so an edit the build has not seen is read as YAML.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Beside the built loader; under tsx (src/config/) there is none and the YAML is parsed. */
export const BUILT_DEFAULTS_FILE = new URL('./default.json', import.meta.url);

/** The values built from exactly this text of default.yaml, or undefined (no such file, or another text). */
export function builtDefaults(yamlText: string, file: URL | string = BUILT_DEFAULTS_FILE): unknown {
  let built: { sha256?: unknown; values?: unknown };
  try {
    built = JSON.parse(readFileSync(file, 'utf8')) as typeof built;
  } catch {
    return undefined;
  }
  return built.sha256 === createHash('sha256').update(yamlText).digest('hex') ? built.values : undefined;
}
