// A setting that changes where a tool gets packages from (an index, a registry, a find-links
// directory, a direct URL), where it was found, and what the shim does about it. The same records
// drive the shims' notices and refusals and `depfence doctor`'s report.

export type SettingAction =
  /** Overridden by the shim's own settings: the tool never sees it. */
  | 'ignore'
  /** A scoped npm registry, pointed at the firewall instead. */
  | 'redirect'
  /** Listed in shims.trustedUrls: left as it is. */
  | 'trusted'
  /** Cannot be overridden from outside the tool: the shim refuses to run it (exit 2). */
  | 'refuse';

export interface SourceSetting {
  /** As the user wrote it: `--extra-index-url`, `PIP_FIND_LINKS`, `extra-index-url`, `@corp:registry`, `[[tool.uv.index]]`. */
  setting: string;
  value: string;
  /** "the command line", "the environment", a file, or "file:line (included from file:line)". */
  origin: string;
  action: SettingAction;
  /** For refusals: why this is a way around the firewall. */
  why?: string;
}

export const FROM_COMMAND_LINE = 'the command line';
export const FROM_ENVIRONMENT = 'the environment';

/** True when `value` is one of the trusted URLs or paths, or lies under one. */
export function isTrusted(value: string, trusted: readonly string[]): boolean {
  const candidate = stripTrailingSlash(stripVcsPrefix(value.trim()));
  return trusted.some((entry) => {
    const base = stripTrailingSlash(stripVcsPrefix(entry.trim()));
    if (base === '') return false;
    if (candidate === base) return true;
    return candidate.startsWith(base) && /[/?#@]/.test(candidate.charAt(base.length));
  });
}

function stripTrailingSlash(text: string): string {
  return text.replace(/\/+$/, '');
}

function stripVcsPrefix(text: string): string {
  return text.replace(/^(git|hg|svn|bzr)\+/, '');
}

/** `https://user:token@host/…` → `https://***@host/…`: credentials never reach a terminal or a log. */
export function redact(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}

/** One setting as a refusal, an ignore or a redirect notice. */
export function describeSetting(setting: SourceSetting): string {
  const what = setting.setting === setting.value || setting.value === '' ? setting.setting : `${setting.setting} ${redact(setting.value)}`;
  switch (setting.action) {
    case 'ignore':
      return `ignoring ${what} from ${setting.origin} (packages come only from the firewall)`;
    case 'redirect':
      return `redirecting ${what} from ${setting.origin} to the firewall`;
    case 'trusted':
      return `using ${what} from ${setting.origin} (trusted in shims.trustedUrls)`;
    case 'refuse':
      return `${what}, from ${setting.origin}: ${setting.why ?? 'packages would come from there, around the firewall'}`;
  }
}

/** The refusal a shim prints before exiting 2: each setting, then how to allow it. */
export function refusalMessage(tool: string, refusals: readonly SourceSetting[]): string {
  const lines = [`depfence: refusing to run ${tool}: it would fetch packages around the firewall`];
  for (const refusal of refusals) lines.push(`depfence:   ${describeSetting(refusal)}`);
  const urls = [...new Set(refusals.map((refusal) => refusal.value).filter((value) => value !== ''))];
  lines.push(
    `depfence: remove ${refusals.length === 1 ? 'it' : 'them'}, or if you trust ${refusals.length === 1 ? 'that source' : 'those sources'}, list ${urls.length === 1 ? 'it' : 'them'} in depfence.yaml:`,
    `depfence:   shims: { trustedUrls: [${urls.map((url) => JSON.stringify(redact(url))).join(', ')}] }`,
  );
  return `${lines.join('\n')}\n`;
}
