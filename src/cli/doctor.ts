// `depfence doctor`: are pip, npm and uv on PATH the shims, is the firewall healthy, and which of
// the machine's settings could send packages around it. Exits 1 when something is wrong: a tool
// that is not shimmed, or a setting the shims would refuse to run with.
import { existsSync } from 'node:fs';
import { configKey, formatAge, type Config, type LoadedConfig } from '../config/index.js';
import { freshness } from '../sources/osv/threat-data.js';
import { threatDataFor } from './threat-data.js';
import { serverFilePath } from '../server/server-file.js';
import { configFirewallDir, firewallForConfig, runningFirewall } from '../shims/firewall.js';
import { shimsDir } from '../shims/launcher.js';
import type { InspectInput } from '../shims/plan.js';
import { allOnPath, findRealTool, isShim } from '../shims/real-tool.js';
import { inspect } from '../shims/session.js';
import { describeSetting, redact, type SourceSetting } from '../shims/settings.js';
import { TOOL_NAMES, type ToolName } from '../shims/tools.js';

type Level = 'ok' | 'info' | 'warn' | 'FAIL';

interface Line {
  level: Level;
  text: string;
}

/** What doctor inspects for each tool: a command that would fetch, in the working directory. */
const PROBES: { tool: ToolName; args: string[] }[] = [
  { tool: 'pip', args: ['install'] },
  { tool: 'npm', args: ['install'] },
  { tool: 'uv', args: ['sync'] },
];

export async function runDoctor(loaded: LoadedConfig, env: NodeJS.ProcessEnv, cwd: string, out: (text: string) => void): Promise<number> {
  const { config } = loaded;
  const lines: Line[] = [];
  lines.push({ level: 'info', text: `config: ${loaded.files.join(', then ')}${configVariables(env)} (later wins)` });
  lines.push(...toolLines(env, cwd));
  lines.push(await firewallLine(config));
  lines.push(threatDataLine(config));
  lines.push(...hubLines(config, env));
  lines.push(...(await settingLines(config, env, cwd)));
  for (const line of lines) out(`${line.level.padEnd(5)} ${line.text}`);
  const failed = lines.filter((line) => line.level === 'FAIL').length;
  const warned = lines.filter((line) => line.level === 'warn').length;
  out('');
  out(
    failed === 0
      ? `no problems${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}`
      : `${failed} problem${failed === 1 ? '' : 's'}, ${warned} warning${warned === 1 ? '' : 's'}`,
  );
  return failed === 0 ? 0 : 1;
}

function toolLines(env: NodeJS.ProcessEnv, cwd: string): Line[] {
  const fix = `put ${shimsDir()} first on PATH: eval "$(depfence shell-init)"`;
  return TOOL_NAMES.map((tool): Line => {
    const found = allOnPath(tool, env.PATH, cwd);
    const first = found[0];
    if (!first) return { level: 'info', text: `${tool}: not installed` };
    if (!isShim(first)) {
      const shimmed = found.some(isShim);
      return {
        level: 'FAIL',
        text: `${tool}: ${first} is not a depfence shim${shimmed ? ', and it comes before the shim on PATH' : ''}; ${fix}`,
      };
    }
    const real = findRealTool(tool, env, cwd);
    return real
      ? { level: 'ok', text: `${tool}: ${first} is the depfence shim (real ${tool}: ${real.command})` }
      : { level: 'warn', text: `${tool}: ${first} is the depfence shim, but no real ${tool} is found behind it` };
  });
}

/** DEPFENCE_* variables that set configuration keys, named after the files. */
function configVariables(env: NodeJS.ProcessEnv): string {
  const names = Object.keys(env)
    .filter((name) => name.startsWith('DEPFENCE_') && !/^DEPFENCE_(CONFIG|REAL_|SHIM_)/.test(name))
    .sort();
  return names.length === 0 ? '' : `, then ${names.join(', ')}`;
}

async function firewallLine(config: Config): Promise<Line> {
  const { dataDir } = config.server;
  const key = configKey(config);
  const ours = await firewallForConfig(dataDir, key, config.server.token ?? null);
  if (ours) return { level: 'ok', text: `firewall: healthy at ${ours.url}, running this configuration (data dir ${ours.dataDir})` };
  const running = await runningFirewall(dataDir, config.server.token ?? null);
  if (running)
    return {
      level: 'info',
      text: `firewall: ${running.url} runs another configuration (another project's depfence.yaml); the shims here start one of their own in ${configFirewallDir(dataDir, key)}`,
    };
  if (existsSync(serverFilePath(dataDir))) {
    return {
      level: 'warn',
      text: `firewall: ${serverFilePath(dataDir)} names a firewall that does not answer; the shims start a new one when needed (or run depfence serve)`,
    };
  }
  return { level: 'info', text: `firewall: not running (data dir ${dataDir}); the shims start it when a command needs it` };
}

/** The data dir's threat-data index: how old it is (a running firewall uses the same file). */
function threatDataLine(config: Config): Line {
  const fresh = freshness(threatDataFor(config).status(), new Date(), config.feeds.osv.maxAge, formatAge);
  return { level: fresh.state === 'current' ? 'ok' : 'warn', text: `threat data: ${fresh.text}` };
}

/** The firewall's Hugging Face endpoint, as clients must be given it (HF_ENDPOINT). */
export function firewallHubEndpoint(config: Config): string {
  const host = ['0.0.0.0', '::'].includes(config.server.host)
    ? '127.0.0.1'
    : config.server.host.includes(':')
      ? `[${config.server.host}]`
      : config.server.host;
  return `http://${host}:${config.server.port}/-/hf`;
}

/** Hugging Face clients (huggingface_hub, transformers, datasets) go where HF_ENDPOINT says. */
function hubLines(config: Config, env: NodeJS.ProcessEnv): Line[] {
  const expected = firewallHubEndpoint(config);
  const endpoint = env.HF_ENDPOINT?.trim();
  const fix = `export HF_ENDPOINT=${expected} (eval "$(depfence shell-init)" does it)`;
  const lines: Line[] = [];
  if (!endpoint)
    lines.push({
      level: 'info',
      text: `huggingface: HF_ENDPOINT is not set, so Hugging Face clients download from the Hub directly; to check models: ${fix}`,
    });
  else if (endpoint.replace(/\/+$/, '') !== expected)
    lines.push({
      level: 'FAIL',
      text: `huggingface: HF_ENDPOINT is ${redact(endpoint)}, not the firewall's ${expected}: models would be downloaded around it; ${fix}`,
    });
  else lines.push({ level: 'ok', text: `huggingface: HF_ENDPOINT is the firewall's ${expected}` });
  if (endpoint && /^(1|true|yes|on)$/i.test(env.HF_HUB_ENABLE_HF_TRANSFER ?? '')) {
    lines.push({
      level: 'warn',
      text: 'huggingface: HF_HUB_ENABLE_HF_TRANSFER is on; older huggingface_hub versions then download with hf_transfer: set it to 0',
    });
  }
  return lines;
}

async function settingLines(config: Config, env: NodeJS.ProcessEnv, cwd: string): Promise<Line[]> {
  const lines: Line[] = [];
  const seen = new Set<string>();
  for (const probe of PROBES) {
    const input: InspectInput = {
      args: probe.args,
      env,
      cwd,
      trusted: config.shims.trustedUrls,
      realTool: findRealTool(probe.tool, env, cwd)?.command ?? null,
    };
    const plan = await inspect(probe.tool, input);
    for (const setting of plan.settings) {
      const key = `${setting.setting}|${setting.value}|${setting.origin}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(settingLine(probe.tool, setting));
    }
  }
  if (lines.length === 0) lines.push({ level: 'ok', text: 'settings: no other package source configured for pip, npm or uv' });
  return lines;
}

function settingLine(tool: ToolName, setting: SourceSetting): Line {
  switch (setting.action) {
    case 'refuse':
      return {
        level: 'FAIL',
        text: `${tool}: ${describeSetting(setting)}; the shims refuse to run until it is removed or trusted (shims.trustedUrls)`,
      };
    case 'ignore':
    case 'redirect': {
      const value = setting.value ? ` ${redact(setting.value)}` : '';
      const done = setting.action === 'ignore' ? 'the shims ignore it' : 'the shims point it at the firewall';
      return {
        level: 'warn',
        text: `${tool}: ${setting.setting}${value} (${setting.origin}) is another package source; ${done}, but ${tool} run without them (an absolute path, \`python -m pip\` in a script) uses it`,
      };
    }
    case 'trusted':
      return { level: 'info', text: `${tool}: ${describeSetting(setting)}` };
  }
}
