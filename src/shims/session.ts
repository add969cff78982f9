// A command that fetches packages: read the configuration, look for ways around the firewall
// (refused, exit 2), make sure the firewall runs (exit 3 if it cannot), say which of the
// machine's settings are overridden, check the named packages (exit 1 on a denial), then run the
// real tool with the firewall as its only source and end with its exit code.
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { runTool } from './exec.js';
import { ensureFirewall, FirewallUnavailable } from './firewall.js';
import { inspectNpm } from './npm/inspect.js';
import { inspectPip } from './pip/inspect.js';
import type { InspectInput, ToolPlan } from './plan.js';
import { preflight } from './preflight.js';
import type { RealTool } from './real-tool.js';
import { describeSetting, refusalMessage } from './settings.js';
import { TOOL_FAMILY, type ToolName } from './tools.js';
import { inspectUv } from './uv/inspect.js';

export const SHIM_EXIT = { denied: 1, refused: 2, firewallUnavailable: 3 } as const;

export interface ShimCall {
  tool: ToolName;
  real: RealTool;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const say = (text: string) => process.stderr.write(`${text}\n`);

export async function runThroughFirewall(call: ShimCall): Promise<number> {
  let config: Config;
  try {
    config = loadConfig({ env: call.env, cwd: call.cwd }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    say(`depfence: ${error.message}`);
    return SHIM_EXIT.refused;
  }
  const plan = await inspect(call.tool, { args: call.args, env: call.env, cwd: call.cwd, trusted: config.shims.trustedUrls, realTool: call.real.command });
  const refusals = plan.settings.filter((setting) => setting.action === 'refuse');
  if (refusals.length > 0) {
    if (config.mode === 'enforce') {
      process.stderr.write(refusalMessage(plan.label, refusals));
      return SHIM_EXIT.refused;
    }
    say(`depfence: mode: report, so ${plan.label} runs anyway; in enforce mode it would be refused:`);
    for (const refusal of refusals) say(`depfence:   ${describeSetting(refusal)}`);
  }

  let firewall;
  try {
    firewall = await ensureFirewall({ dataDir: config.server.dataDir, token: config.server.token ?? null, timeoutMs: config.shims.startTimeout, env: call.env, cwd: call.cwd, say });
  } catch (error) {
    if (!(error instanceof FirewallUnavailable)) throw error;
    say(`depfence: ${plan.label} not run: the firewall is not available, and nothing is installed around it.\ndepfence: ${error.message}`);
    return SHIM_EXIT.firewallUnavailable;
  }

  for (const setting of plan.settings) {
    if (setting.action !== 'refuse' && !pointsAt(setting.value, firewall.url)) say(`depfence: ${describeSetting(setting)}`);
  }
  if (plan.packages.length > 0) {
    const checked = await preflight(firewall, plan.packages, call.tool, plan.label, say);
    if (checked.denied) return SHIM_EXIT.denied;
  }
  return runTool(call.real, call.args, plan.environment(firewall));
}

/** A setting an outer shim made (a pip run by an npm script run by the npm shim) is not news. */
function pointsAt(value: string, firewallUrl: string): boolean {
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    return url.toString().startsWith(firewallUrl);
  } catch {
    return false;
  }
}

export function inspect(tool: ToolName, input: InspectInput): Promise<ToolPlan> {
  switch (TOOL_FAMILY[tool]) {
    case 'pip':
      return inspectPip(input);
    case 'uv':
      return inspectUv(input);
    case 'npm':
      return inspectNpm({ ...input, npx: tool === 'npx' });
  }
}
