// After the tool has run: what the firewall refused it while it ran (GET /-/depfence/refusals),
// named, and the exit code that follows. npm skips an optional dependency it could not fetch
// without a word and exits 0 (a platform binary refused, and the tool that needs it is broken);
// pip reports a refused index page only as "no matching distribution". So in enforce mode:
// - the tool failed and the firewall refused something: 3 when every refusal was for facts that
//   could not be had, 1 otherwise (the exit code table: 1 denied by policy, 3 facts unavailable);
// - npm succeeded without something it asked for: the same, unless optional dependencies were
//   omitted on purpose (--omit=optional).
// Refusals are matched by time and client kind (npm, pip, uv): another command of the same kind
// on the same firewall at the same moment would be reported too.
import { request } from 'node:http';
import type { FirewallEndpoint } from './plan.js';
import { TOOL_FAMILY, type ToolName } from './tools.js';

export interface ReportedRefusal {
  path: string;
  reason: string;
  unavailable: boolean;
}

const EXIT_DENIED = 1;
const EXIT_FACTS_UNAVAILABLE = 3;

export interface ReportInput {
  tool: ToolName;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  code: number;
  refusals: readonly ReportedRefusal[];
  enforce: boolean;
  say: (text: string) => void;
}

/** Prints the refusals and returns the shim's exit code. */
export function reportRefusals(input: ReportInput): number {
  const refusals = unique(input.refusals);
  if (refusals.length === 0) return input.code;
  const exitForRefusals = refusals.every((refusal) => refusal.unavailable) ? EXIT_FACTS_UNAVAILABLE : EXIT_DENIED;
  const npm = TOOL_FAMILY[input.tool] === 'npm';
  if (input.code === 0 && npm) {
    for (const refusal of refusals)
      input.say(`depfence: ${subjectOf(refusal.path)} was refused: ${refusal.reason}; tools that need it will not work`);
    if (!input.enforce) return 0;
    if (omitsOptional(input.args, input.env)) {
      input.say('depfence: optional dependencies were omitted (--omit=optional), so the install stands');
      return 0;
    }
    input.say(
      `depfence: ${input.tool} finished without ${refusals.length === 1 ? 'it' : 'them'} (npm skips optional dependencies it cannot fetch); exit ${exitForRefusals}. Allow ${refusals.length === 1 ? 'it' : 'them'} as the reason says, or install with --omit=optional`,
    );
    return exitForRefusals;
  }
  input.say(`depfence: the firewall refused ${refusals.length === 1 ? 'this' : 'these'} while ${input.tool} ran:`);
  for (const refusal of refusals) input.say(`depfence:   ${subjectOf(refusal.path)}: ${refusal.reason}`);
  return input.code !== 0 && input.enforce ? exitForRefusals : input.code;
}

/** The refusals the firewall answered this tool's kind of client since `since`; none when it cannot say. */
export function fetchRefusals(firewall: FirewallEndpoint, tool: ToolName, since: Date): Promise<ReportedRefusal[]> {
  const client = TOOL_FAMILY[tool];
  const url = `${firewall.url}/-/depfence/refusals?since=${encodeURIComponent(since.toISOString())}&client=${client}`;
  const headers: Record<string, string> = { accept: 'application/json', connection: 'close' };
  if (firewall.token !== null) headers.authorization = `Bearer ${firewall.token}`;
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 5_000, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { refusals?: ReportedRefusal[] };
          resolve(res.statusCode === 200 && Array.isArray(body.refusals) ? body.refusals : []);
        } catch {
          resolve([]);
        }
      });
      res.on('error', () => resolve([]));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve([]));
    req.end();
  });
}

/** `/@scope%2fname`, `/name/-/name-1.0.0.tgz`, `/-/pypi/simple/name/`, `/-/pypi/files/name/file.whl` → the package. */
export function subjectOf(path: string): string {
  const pypi = /^\/-\/pypi\/(?:simple|files)\/([^/?]+)/.exec(path);
  if (pypi) return decodeURIComponent(pypi[1]!);
  const segments = path
    .split('?', 1)[0]!
    .split('/')
    .filter(Boolean)
    .map((segment) => decodeURIComponent(segment));
  const first = segments[0] ?? path;
  if (first.startsWith('@')) return first.includes('/') ? first : `${first}/${segments[1] ?? ''}`;
  return first;
}

/** npm was told to leave optional dependencies out: --omit=optional, --no-optional, or npm_config_omit. */
export function omitsOptional(args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') break;
    if (arg === '--no-optional' || arg === '--optional=false') return true;
    if (arg === '--omit=optional' || (arg === '--omit' && args[index + 1] === 'optional')) return true;
  }
  const omit = Object.entries(env).find(([name]) => name.toLowerCase() === 'npm_config_omit')?.[1];
  return omit?.split(/[\s,]+/).includes('optional') ?? false;
}

function unique(refusals: readonly ReportedRefusal[]): ReportedRefusal[] {
  const seen = new Set<string>();
  return refusals.filter((refusal) => {
    const key = `${subjectOf(refusal.path)}|${refusal.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
