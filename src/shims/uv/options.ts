// uv's options (clap: no abbreviations). Only the ones that take a value matter for telling
// options from packages; an option missing here is read as a flag.
import { longOptions, optionTable, type OptionTable } from '../../inputs/options.js';

const VALUES = [
  '--directory', '--project', '--config-file', '--cache-dir', '--color', '--python-preference', '--allow-insecure-host', '--trusted-host',
  '--python', '--index', '--default-index', '--index-url', '--extra-index-url', '--find-links', '--index-strategy', '--keyring-provider',
  '--resolution', '--prerelease', '--fork-strategy', '--exclude-newer', '--exclude-newer-package', '--no-binary-package', '--no-build-package',
  '--reinstall-package', '--upgrade-package', '--refresh-package', '--config-setting', '--config-settings-package', '--no-build-isolation-package',
  '--link-mode', '--requirements', '--requirement', '--constraints', '--constraint', '--overrides', '--override', '--excludes', '--build-constraints',
  '--build-constraint', '--editable', '--target', '--prefix', '--python-version', '--python-platform', '--extra', '--no-extra', '--group',
  '--only-group', '--no-group', '--package', '--no-install-package', '--script', '--with', '--with-editable', '--with-requirements', '--from',
  '--tag', '--branch', '--rev', '--marker', '--optional', '--bounds', '--output-file', '--output-format', '--annotation-style',
  '--custom-compile-command', '--env-file', '--torch-backend', '--prompt', '--name', '--build-backend', '--vcs', '--author-from', '--bump',
  '--out-dir', '--publish-url', '--token', '--username', '--password', '--trusted-publishing', '--check-url', '--depth', '--prune', '--invert',
  '--format', '--preview-features', '--no-emit-package', '--emit-index-annotation', '--install-dir', '--mirror', '--python-install-mirror',
  '--pypy-install-mirror', '--python-downloads-json-url', '--exclude', '--only-binary', '--no-binary', '--index-url-file', '--concurrent-downloads',
  '--concurrent-builds', '--concurrent-installs', '--system-certs', '--default-groups', '--managed-python-dir', '--hash-algorithm',
];
const FLAGS = ['--version', '--help', '--quiet', '--verbose', '--no-cache', '--offline', '--no-config', '--upgrade', '--system', '--no-sources', '--native-tls', '--frozen', '--locked', '--dev', '--no-dev', '--all-extras', '--isolated', '--module', '--refresh', '--no-progress', '--preview', '--no-index'];
const SHORTS: Record<string, string> = {
  '-p': '--python', '-i': '--index-url', '-f': '--find-links', '-r': '--requirements', '-c': '--constraints', '-b': '--build-constraints',
  '-e': '--editable', '-o': '--output-file', '-C': '--config-setting', '-P': '--upgrade-package', '-t': '--token', '-u': '--username',
  '-q': '--quiet', '-v': '--verbose', '-n': '--no-cache', '-U': '--upgrade', '-V': '--version', '-h': '--help',
};

/** Options that point uv at another source of packages. */
export const UV_SOURCE_OPTIONS = ['--index', '--default-index', '--index-url', '--extra-index-url', '--find-links'];
export const UV_REQUIREMENT_OPTIONS = ['--requirements', '--requirement', '--with-requirements'];
export const UV_CONSTRAINT_OPTIONS = ['--constraints', '--constraint', '--overrides', '--override', '--excludes', '--build-constraints', '--build-constraint'];

const table = (shorts: Record<string, string>) =>
  optionTable(longOptions(VALUES, FLAGS), shorts, false, UV_SOURCE_OPTIONS);

const GENERAL = table(SHORTS);
/** `uv add -m MARKER` and `uv run -m MODULE` use the same letter for different things. */
const WITH_MARKER = table({ ...SHORTS, '-m': '--marker' });

export function uvOptions(command: string): OptionTable {
  return command === 'add' || command === 'remove' ? WITH_MARKER : GENERAL;
}
