// Every shim call: read the configuration, look for ways around the firewall (refused, exit 2),
// then run the real tool with the firewall as its only source. For a command that may fetch, the
// firewall for this configuration is started first (exit 3 if it cannot), the machine's
// overridden settings are named, the packages it names are checked (exit 1 on a denial, 3 when
// only facts were missing), and afterwards what the firewall refused the tool is named, ending
// with the tool's exit code or the table's (refusal-report.ts). A command that fetches nothing
// gets the running firewall, or, when none runs, an address where nothing can answer: if it does
// fetch after all, it fails instead of going around the firewall.
import { ConfigError, configKey, loadConfig, type Config } from '../config/index.js';
import { runTool } from './exec.js';
import { ensureFirewall, firewallForConfig, FirewallUnavailable, unreachableFirewall } from './firewall.js';
import type { FirewallEndpoint, InspectInput, ToolPlan } from './plan.js';
import { fetchRefusals, reportRefusals } from './refusal-report.js';
import { EXIT } from '../policy/exit-codes.js';
import type { RealTool } from './real-tool.js';
import { describeSetting, refusalMessage } from './settings.js';
import { TOOL_FAMILY, type ToolName } from './tools.js';

/** The exit code table every path shares (README "Exit codes"). */
export const SHIM_EXIT = {
  denied: EXIT.denied,
  refused: EXIT.usage,
  factsUnavailable: EXIT.factsUnavailable,
  firewallUnavailable: EXIT.factsUnavailable,
} as const;

export interface ShimCall {
  tool: ToolName;
  real: RealTool;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Start the firewall (and pre-flight) before running the tool: the command may fetch packages. */
  startFirewall: boolean;
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
  const plan = await inspect(call.tool, {
    args: call.args,
    env: call.env,
    cwd: call.cwd,
    trusted: config.shims.trustedUrls,
    realTool: call.real.command,
  });
  const refusals = plan.settings.filter((setting) => setting.action === 'refuse');
  if (refusals.length > 0) {
    if (config.mode === 'enforce') {
      process.stderr.write(refusalMessage(plan.label, refusals));
      return SHIM_EXIT.refused;
    }
    say(`depfence: mode: report, so ${plan.label} runs anyway; in enforce mode it would be refused:`);
    for (const refusal of refusals) say(`depfence:   ${describeSetting(refusal)}`);
  }

  const { dataDir, token } = config.server;
  const key = configKey(config);
  if (!call.startFirewall) {
    const running = await firewallForConfig(dataDir, key, token);
    return runTool(call.real, call.args, plan.environment(running ?? unreachableFirewall(dataDir, token)));
  }
  let firewall: FirewallEndpoint;
  try {
    firewall = await ensureFirewall({
      dataDir,
      configKey: key,
      token,
      timeoutMs: config.shims.startTimeout,
      env: call.env,
      cwd: call.cwd,
      say,
    });
  } catch (error) {
    if (!(error instanceof FirewallUnavailable)) throw error;
    say(`depfence: ${plan.label} not run: the firewall is not available, and nothing is installed around it.\ndepfence: ${error.message}`);
    return SHIM_EXIT.firewallUnavailable;
  }
  for (const setting of plan.settings) {
    if (setting.action !== 'refuse' && !pointsAt(setting.value, firewall.url)) say(`depfence: ${describeSetting(setting)}`);
  }
  if (plan.packages.length > 0) {
    const { preflight } = await import('./preflight.js'); // the policy's wording: loaded only when there is something to check
    const checked = await preflight(firewall, plan.packages, call.tool, plan.label, say);
    if (checked.denied) return checked.factsUnavailable ? SHIM_EXIT.factsUnavailable : SHIM_EXIT.denied;
  }
  const started = new Date();
  const code = await runTool(call.real, call.args, plan.environment(firewall));
  const refused = await fetchRefusals(firewall, call.tool, started);
  return reportRefusals({
    tool: call.tool,
    args: call.args,
    env: call.env,
    code,
    refusals: refused,
    enforce: config.mode === 'enforce',
    say,
  });
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

/** Each tool's inspection is loaded only for that tool (they pull in parsers the others do not need). */
export async function inspect(tool: ToolName, input: InspectInput): Promise<ToolPlan> {
  switch (TOOL_FAMILY[tool]) {
    case 'pip':
      return (await import('./pip/inspect.js')).inspectPip(input);
    case 'uv':
      return (await import('./uv/inspect.js')).inspectUv(input);
    case 'npm':
      return (await import('./npm/inspect.js')).inspectNpm({ ...input, npx: tool === 'npx' });
  }
}
