// pip under the shim: the source settings on its command line, in requirements and constraints
// files, in PIP_* variables and in pip's configuration files; the packages to check first; and
// the environment that leaves the firewall as pip's only index.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanArgs } from '../../inputs/options.js';
import { bypassProxyFor, displayPath, pypiSimpleUrl, type FirewallEndpoint, type InspectInput, type ToolPlan } from '../plan.js';
import { scanTomlFile } from '../pyproject.js';
import { addSource, includeFile, scanRequirement, type RequirementsScan } from '../requirements.js';
import { FROM_COMMAND_LINE, FROM_ENVIRONMENT, isTrusted, type SourceSetting } from '../settings.js';
import { formatIni, listValues, normalizePipKey, pipConfigFiles, readIni, type IniSections } from './config-files.js';
import { PIP_OPTIONS, PIP_SOURCE_OPTIONS } from './options.js';

/** Keys that say where packages come from: dropped from pip's configuration. */
const SOURCE_KEYS = ['index-url', 'pypi-url', 'extra-index-url', 'find-links', 'no-index', 'trusted-host', 'proxy'];
/** Keys holding several values, of which the trusted ones are kept. */
const LIST_KEYS = new Set(['extra-index-url', 'find-links', 'trusted-host']);
/** Sections depfence's file blanks the source keys in, besides any section another file uses. */
const COMMAND_SECTIONS = ['global', 'install', 'download', 'wheel', 'index', 'lock', 'list', 'search'];
/** Commands whose positional arguments are requirements. */
const INSTALLING = new Set(['install', 'download', 'wheel', 'lock']);
const CLI_WHY = 'another package source, consulted besides (or instead of) the firewall';
const PROXY_WHY = 'a proxy between pip and the firewall could answer in its place';

export async function inspectPip(input: InspectInput): Promise<ToolPlan> {
  const { args, env, cwd, trusted } = input;
  const display = displayPath(cwd);
  const scan: RequirementsScan = { env, trusted, display, settings: [], packages: [], localPaths: [], seen: new Set() };
  const { options, positionals } = scanArgs(args, PIP_OPTIONS);
  const [command = '', ...operands] = positionals;

  for (const option of options) {
    if (option.name === null || option.value === null) continue;
    if (PIP_SOURCE_OPTIONS.includes(option.name)) {
      addSource(scan, { setting: option.written, value: option.value, origin: FROM_COMMAND_LINE, action: 'refuse', why: CLI_WHY });
    } else if (option.name === '--proxy') {
      scan.settings.push({ setting: option.written, value: option.value, origin: FROM_COMMAND_LINE, action: 'refuse', why: PROXY_WHY });
    } else if (option.name === '--requirement' || option.name === '--constraint') {
      includeFile(
        option.written,
        option.value,
        option.name === '--requirement' ? 'requirements' : 'constraints',
        cwd,
        FROM_COMMAND_LINE,
        scan,
      );
    } else if (option.name === '--editable') {
      scanRequirement(option.value, FROM_COMMAND_LINE, 'requirements', cwd, scan);
    }
  }
  if (INSTALLING.has(command)) for (const operand of operands) scanRequirement(operand, FROM_COMMAND_LINE, 'requirements', cwd, scan);

  const fromEnv = environmentSettings(env, trusted);
  scan.settings.push(...fromEnv.settings);
  for (const [variable, key, value] of fromEnv.files) {
    for (const file of listValues(value))
      includeFile(variable, file, key === 'requirement' ? 'requirements' : 'constraints', cwd, FROM_ENVIRONMENT, scan);
  }

  const files = pipConfigFiles(env, input.realTool);
  const config = configSettings(
    files.map((file) => ({ path: file.path, sections: readIni(file.path) })),
    trusted,
  );
  scan.settings.push(...config.settings);
  for (const file of config.requirementFiles)
    includeFile(file.kind === 'requirements' ? 'requirement' : 'constraint', file.path, file.kind, cwd, file.origin, scan);

  for (const local of scan.localPaths) {
    const pyproject = join(local.path, 'pyproject.toml');
    if (isDirectory(local.path) && existsSync(pyproject))
      await scanTomlFile(pyproject, 'pyproject', scan, { uvSettings: false, dependencies: true });
  }

  return {
    label: `pip ${command}`.trim(),
    settings: scan.settings,
    packages: scan.packages,
    environment: (firewall) =>
      pipEnvironment(
        env,
        firewall,
        config.kept,
        fromEnv.keep,
        options.some((option) => option.name === '--isolated'),
      ),
  };
}

/** PIP_* variables that name a source (any spelling pip accepts), and the requirement/constraint files they name. */
function environmentSettings(
  env: NodeJS.ProcessEnv,
  trusted: readonly string[],
): { settings: SourceSetting[]; keep: Map<string, string>; files: [string, string, string][] } {
  const settings: SourceSetting[] = [];
  const keep = new Map<string, string>();
  const files: [string, string, string][] = [];
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith('PIP_') || value === undefined) continue;
    const key = normalizePipKey(variable.slice(4));
    if (key === 'requirement' || key === 'constraint') files.push([variable, key, value]);
    if (!SOURCE_KEYS.includes(key) || value.trim() === '') continue;
    const kept = keepTrusted(key, value, trusted);
    for (const dropped of kept.dropped) settings.push({ setting: variable, value: dropped, origin: FROM_ENVIRONMENT, action: 'ignore' });
    for (const item of kept.trusted) settings.push({ setting: variable, value: item, origin: FROM_ENVIRONMENT, action: 'trusted' });
    if (kept.trusted.length > 0) keep.set(variable, kept.trusted.join(' '));
  }
  return { settings, keep, files };
}

interface ConfigResult {
  settings: SourceSetting[];
  /** Everything pip would have read, minus the source keys (trusted values kept), merged in pip's order. */
  kept: IniSections;
  requirementFiles: { path: string; kind: 'requirements' | 'constraints'; origin: string }[];
}

function configSettings(files: { path: string; sections: IniSections }[], trusted: readonly string[]): ConfigResult {
  const settings: SourceSetting[] = [];
  const kept: IniSections = new Map();
  const requirementFiles: ConfigResult['requirementFiles'] = [];
  for (const file of files) {
    for (const [section, keys] of file.sections) {
      const target = kept.get(section) ?? new Map<string, string>();
      kept.set(section, target);
      for (const [key, value] of keys) {
        if (key === 'requirement' || key === 'constraint') {
          for (const path of listValues(value))
            requirementFiles.push({ path, kind: key === 'requirement' ? 'requirements' : 'constraints', origin: file.path });
        }
        if (!SOURCE_KEYS.includes(key)) {
          target.set(key, value);
          continue;
        }
        if (value.trim() === '') continue;
        const result = keepTrusted(key, value, trusted);
        for (const dropped of result.dropped) settings.push({ setting: key, value: dropped, origin: file.path, action: 'ignore' });
        for (const item of result.trusted) settings.push({ setting: key, value: item, origin: file.path, action: 'trusted' });
        if (result.trusted.length > 0) target.set(key, result.trusted.join(' '));
        else target.delete(key);
      }
    }
  }
  return { settings, kept, requirementFiles };
}

/** Splits a source setting's values into those shims.trustedUrls allows and those it drops. */
function keepTrusted(key: string, value: string, trusted: readonly string[]): { trusted: string[]; dropped: string[] } {
  const values = LIST_KEYS.has(key) ? listValues(value) : [value.trim()];
  // the firewall takes the index's place; only extra sources can be trusted; no proxy is needed
  // to reach the firewall, and one could answer in its place (pip sends even loopback requests
  // through a configured proxy)
  if (key === 'no-index' || key === 'index-url' || key === 'pypi-url' || key === 'proxy') return { trusted: [], dropped: values };
  return { trusted: values.filter((item) => isTrusted(item, trusted)), dropped: values.filter((item) => !isTrusted(item, trusted)) };
}

function pipEnvironment(
  env: NodeJS.ProcessEnv,
  firewall: FirewallEndpoint,
  kept: IniSections,
  keepVariables: Map<string, string>,
  isolated: boolean,
): NodeJS.ProcessEnv {
  const index = pypiSimpleUrl(firewall);
  const result: NodeJS.ProcessEnv = {};
  for (const [variable, value] of Object.entries(env)) {
    if (variable.startsWith('PIP_') && SOURCE_KEYS.includes(normalizePipKey(variable.slice(4)))) continue;
    result[variable] = value;
  }
  for (const [variable, value] of keepVariables) result[variable] = value;
  result.PIP_INDEX_URL = index;
  // PIP_CONFIG_FILE=/dev/null turns every file off; keep that unless --isolated (which ignores
  // PIP_* variables) needs the index in a file.
  if (env.PIP_CONFIG_FILE !== '/dev/null' || isolated) result.PIP_CONFIG_FILE = writePipConfig(firewall, kept, index);
  bypassProxyFor(result, firewall.url);
  return result;
}

/** The file pip reads instead of the user's: their settings, every source but the firewall blanked in every section. */
function writePipConfig(firewall: FirewallEndpoint, kept: IniSections, index: string): string {
  const sections: IniSections = new Map();
  for (const name of new Set([...COMMAND_SECTIONS, ...kept.keys()])) {
    const keys = new Map(kept.get(name) ?? []);
    for (const key of SOURCE_KEYS)
      if (!keys.has(key) || key === 'index-url' || key === 'pypi-url' || key === 'no-index' || key === 'proxy') keys.set(key, '');
    keys.set('index-url', index);
    sections.set(name, keys);
  }
  const text = formatIni(
    sections,
    `# Written by depfence for pip: your pip settings, with the firewall (${firewall.url}) as the only package source.`,
  );
  const dir = join(firewall.dataDir, 'shims');
  const file = join(dir, `pip-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.conf`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  }
  return file;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
