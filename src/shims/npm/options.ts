// npm's command-line options (npm 11's config definitions): which take a value, the shorthands,
// and the ones that name a registry. nopt accepts unique abbreviations (`--regis` is `--registry`).
import { longOptions, optionTable, type OptionSpec, type OptionTable } from '../../inputs/options.js';

const VALUES = `
  _auth access allow-directory allow-file allow-git allow-remote allow-scripts also audit-level auth-type before
  browser ca cache cache-max cache-min cafile call cert cidr color cpu depth diff diff-dst-prefix
  diff-src-prefix diff-unified editor expect-result-count expires fetch-retries fetch-retry-factor
  fetch-retry-maxtimeout fetch-retry-mintimeout fetch-timeout git globalconfig heading https-proxy include
  init-author-email init-author-name init-author-url init-license init-module init-type init-version
  install-strategy key libc local-address location lockfile-version loglevel logs-dir logs-max name maxsockets
  message min-release-age min-release-age-exclude node-gyp node-options noproxy omit only orgs os otp package
  pack-destination packages prefix preid provenance-file proxy registry replace-registry-host save-prefix
  sbom-format sbom-type scope scopes script-shell searchexclude searchlimit searchopts searchstaleness shell tag
  tag-version-prefix umask user-agent userconfig viewer which workspace
`;
const FLAGS = `
  all allow-same-version audit bin-links bypass-2fa commit-hooks description dev diff-ignore-all-space
  diff-name-only diff-no-prefix diff-text dry-run engine-strict expect-results force foreground-scripts
  format-package-lock fund git-tag-version global global-style if-present ignore-scripts include-staged
  include-workspace-root include-attestations init-private install-links json legacy-bundling legacy-peer-deps
  link long offline omit-lockfile-registry-resolved optional package-lock package-lock-only parseable
  prefer-dedupe prefer-offline prefer-online production progress provenance read-only rebuild-bundle save
  save-bundle save-dev save-exact save-optional save-peer save-prod shrinkwrap sign-git-commit sign-git-tag
  strict-peer-deps strict-ssl timing unicode update-notifier usage version versions workspaces workspaces-update
  yes
`;
const SHORTS: Record<string, string> = {
  '-w': '--workspace',
  '-C': '--prefix',
  '-c': '--call',
  '-L': '--location',
  '-m': '--message',
  '-p': '--package',
  '-a': '--all',
  '-f': '--force',
  '-g': '--global',
  '-l': '--long',
  '-S': '--save',
  '-B': '--save-bundle',
  '-D': '--save-dev',
  '-E': '--save-exact',
  '-O': '--save-optional',
  '-P': '--save-prod',
  '-y': '--yes',
  '-v': '--version',
  '-h': '--usage',
  '-H': '--usage',
};

const SCOPED_REGISTRY = /^--(@[^:\s]+):registry$/;

const valueOption = (written: string): OptionSpec | null =>
  SCOPED_REGISTRY.test(written) || written.startsWith('--//') ? { name: written, takesValue: true } : null;

function table(packageShort: boolean): OptionTable {
  const dashed = (names: string) =>
    names
      .trim()
      .split(/\s+/)
      .map((name) => `--${name}`);
  const longs = longOptions(dashed(VALUES), dashed(FLAGS));
  longs['--parseable'] = false;
  // npm's -p is --parseable, except in exec/npx, where it is --package
  const shorts = { ...SHORTS, '-p': packageShort ? '--package' : '--parseable' };
  return {
    ...optionTable(longs, shorts, true, [
      '--registry',
      '--replace-registry-host',
      '--cache',
      '--proxy',
      '--https-proxy',
      '--noproxy',
      '--userconfig',
      '--globalconfig',
    ]),
    dynamic: valueOption,
  };
}

export const NPM_OPTIONS = table(false);
export const NPX_OPTIONS = table(true);

/** `--@corp:registry` → `@corp`, or null. */
export function scopeOfRegistryOption(name: string): string | null {
  return SCOPED_REGISTRY.exec(name)?.[1] ?? null;
}
