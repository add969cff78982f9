// Running the real tool: its stdio is the shim's, its exit code (or the signal that killed it)
// becomes the shim's, and a SIGTERM or SIGHUP sent to the shim reaches it. Ctrl-C reaches the
// whole process group from the terminal, so the shim only waits for the tool to react to it.
import { spawn } from 'node:child_process';
import type { RealTool } from './real-tool.js';

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
const WAITED: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];

/** Runs the tool and resolves with the exit code the shim should end with. */
export function runTool(tool: RealTool, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(tool.command, [...tool.prefix, ...args], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const wait = () => {};
    for (const signal of FORWARDED) process.on(signal, forward);
    for (const signal of WAITED) process.on(signal, wait);
    const cleanup = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
      for (const signal of WAITED) process.off(signal, wait);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      process.stderr.write(`depfence: cannot run ${tool.command} (found via ${tool.via}): ${error.code ?? error.message}\n`);
      resolve(error.code === 'ENOENT' ? 127 : 126);
    });
    child.on('exit', (code, signal) => {
      cleanup();
      if (signal) {
        // End the same way the tool did, so a caller sees "killed by SIGINT", not a made-up code.
        process.kill(process.pid, signal);
        setTimeout(() => resolve(128 + signalNumber(signal)), 100).unref();
        return;
      }
      resolve(code ?? 1);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return numbers[signal] ?? 1;
}
