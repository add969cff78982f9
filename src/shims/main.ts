// The shim's entry point: `node main.js TOOL ARGS…`, run by the launchers in shims/. Every
// invocation runs the real tool with the firewall as its only source; commands that fetch nothing
// do so without starting the firewall first (and without pre-flight).
import { startsFirewall } from './commands.js';
import { findRealTool } from './real-tool.js';
import { isToolName, realToolVariable, TOOL_NAMES } from './tools.js';

/** Shims calling shims (a misconfigured DEPFENCE_REAL_*) stop here instead of looping forever. */
const MAX_DEPTH = 12;

async function main(argv: string[]): Promise<number> {
  const [tool, ...args] = argv;
  if (!isToolName(tool)) {
    process.stderr.write(`depfence: the shim was started for "${tool ?? ''}"; it knows ${TOOL_NAMES.join(', ')}\n`);
    return 2;
  }
  const env = { ...process.env };
  const depth = Number(env.DEPFENCE_SHIM_DEPTH ?? 0) + 1;
  if (depth > MAX_DEPTH) {
    process.stderr.write(
      `depfence: ${tool} shims are calling each other (${depth} deep); point ${realToolVariable(tool)} at the real ${tool}\n`,
    );
    return 2;
  }
  env.DEPFENCE_SHIM_DEPTH = String(depth);
  const cwd = process.cwd();
  const real = findRealTool(tool, env, cwd);
  if (!real) {
    process.stderr.write(
      `depfence: no real ${tool} found on PATH after the depfence shims; install ${tool} or set ${realToolVariable(tool)} to its path\n`,
    );
    return 127;
  }
  delete env.DEPFENCE_SHIM_PYTHON; // it was for this call only; a nested pip finds its own
  const { runThroughFirewall } = await import('./session.js');
  return runThroughFirewall({ tool, real, args, env, cwd, startFirewall: startsFirewall(tool, args) });
}

process.exitCode = await main(process.argv.slice(2));
