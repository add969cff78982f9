// pip's options (pip 23 to 26): which take a value, and the ones that name another package source.
// optparse accepts any unique prefix of a long option, so `--extra-ind URL` is `--extra-index-url`.
import { longOptions, optionTable } from '../../inputs/options.js';
import { PIP_SOURCE_OPTIONS } from '../../inputs/requirements.js';

const VALUES = [
  '--abi', '--algorithm', '--build-option', '--cache-dir', '--cert', '--client-cert', '--config-settings', '--constraint',
  '--default-timeout', '--dest', '--destination-dir', '--destination-directory', '--editable', '--editor', '--exclude', '--exists-action',
  '--extra-index-url', '--find-links', '--format', '--global-option', '--implementation', '--index', '--index-url', '--keyring-provider',
  '--local-log', '--log', '--log-file', '--no-binary', '--only-binary', '--path', '--platform', '--prefix', '--progress-bar', '--proxy',
  '--pypi-url', '--python', '--python-version', '--report', '--requirement', '--retries', '--root', '--root-user-action', '--source',
  '--source-dir', '--source-directory', '--src', '--target', '--timeout', '--trusted-host', '--upgrade-strategy', '--use-deprecated',
  '--use-feature', '--wheel-dir', '--group', '--uploaded-prior-to', '--resume-retries', '--requirements-from-script', '--build-constraint',
  '--all-releases', '--only-final', '--hash', '--output',
];
const FLAGS = [
  '--all', '--bash', '--break-system-packages', '--check-build-dependencies', '--compile', '--debug', '--disable-pip-version-check',
  '--dry-run', '--exclude-editable', '--files', '--fish', '--force-reinstall', '--global', '--help', '--ignore-installed',
  '--ignore-requires-python', '--include-editable', '--isolated', '--local', '--no-build-isolation', '--no-cache-dir', '--no-clean',
  '--no-color', '--no-compile', '--no-dependencies', '--no-deps', '--no-index', '--no-input', '--no-python-version-warning',
  '--no-use-pep517', '--no-user', '--no-verify', '--no-warn-conflicts', '--no-warn-script-location', '--not-required', '--outdated',
  '--powershell', '--pre', '--prefer-binary', '--quiet', '--require-hashes', '--require-venv', '--require-virtualenv', '--site',
  '--upgrade', '--uptodate', '--use-pep517', '--user', '--verbose', '--version', '--yes', '--zsh', '--json',
];
const SHORTS: Record<string, string> = {
  '-C': '--config-settings', '-a': '--algorithm', '-c': '--constraint', '-d': '--dest', '-e': '--editable', '-f': '--find-links',
  '-i': '--index-url', '-r': '--requirement', '-t': '--target', '-w': '--wheel-dir', '-I': '--ignore-installed', '-U': '--upgrade',
  '-V': '--version', '-h': '--help', '-q': '--quiet', '-v': '--verbose', '-y': '--yes', '-l': '--local', '-o': '--outdated', '-u': '--uptodate',
};

export { PIP_SOURCE_OPTIONS };

export const PIP_OPTIONS = optionTable(
  longOptions(VALUES, FLAGS),
  SHORTS,
  true,
  PIP_SOURCE_OPTIONS,
);
