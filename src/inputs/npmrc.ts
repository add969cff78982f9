// .npmrc files, read the way npm reads them: parsed with `ini` (quoted keys, `[section]` blocks,
// `key[]` arrays, comments), then `${VAR}` / `${VAR?}` replaced in keys and string values from
// the environment with npm's rules (a backslash escapes). Only top-level keys are settings: npm
// ignores what sits inside a `[section]`.
import ini from 'ini';

export interface NpmrcEntry {
  key: string;
  value: string;
  /** The 1-based line the key was set on (the last one, as in npm), for messages. */
  line: number;
}

/** The settings of one .npmrc file's text, in file order. */
export function readNpmrc(text: string, env: NodeJS.ProcessEnv): NpmrcEntry[] {
  const lines = settingLines(text, env);
  const entries: NpmrcEntry[] = [];
  for (const [rawKey, rawValue] of Object.entries(ini.parse(text))) {
    if (typeof rawValue !== 'string') continue; // a section, an array or a boolean: not a source setting
    const key = replaceEnv(rawKey, env);
    entries.push({ key, value: replaceEnv(rawValue, env), line: lines.get(key) ?? 1 });
  }
  return entries;
}

/** Where each top-level key is set: each line outside a section parsed on its own. */
function settingLines(text: string, env: NodeJS.ProcessEnv): Map<string, number> {
  const lines = new Map<string, number>();
  const all = text.split(/\r?\n/);
  for (let index = 0; index < all.length; index++) {
    const line = all[index]!;
    if (/^\s*\[/.test(line)) break; // sections run to the end of the file
    for (const key of Object.keys(ini.parse(line))) lines.set(replaceEnv(key, env), index + 1);
  }
  return lines;
}

const ENV_EXPRESSION = /(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}/g;

/** npm's `${NAME}` replacement: an unset variable stays as written, `${NAME?}` becomes empty, `\${…}` is literal. */
export function replaceEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(ENV_EXPRESSION, (whole, escapes: string, name: string, optional?: string) => {
    if (escapes.length % 2 === 1) return whole.slice((escapes.length + 1) / 2);
    const value = env[name] ?? (optional ? '' : `\${${name}}`);
    return escapes.slice(escapes.length / 2) + value;
  });
}
