// The `depfence` command line. Each subcommand lives in its own module; this file only parses the
// arguments, loads the configuration and maps errors to exit codes. It takes its input and output
// as arguments, so tests can run it in-process; main.ts binds it to the real process.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type FlagOverride } from '../config/index.js';
import { runCheck } from './check.js';
import { runConfusionScan } from './confusion-scan.js';
import { runLog } from './log.js';
import { runServe } from './serve.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** Where a run of the command line reads its environment and writes its output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  readStdin(): string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('depfence')
    .description('A local registry firewall for npm and PyPI: age gates, download floors, typosquat, malicious and dependency-confusion checks.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: (text) => io.err(text.replace(/\n$/, '')) });
  const load = (configFile: string | undefined, flags: FlagOverride[]) => loadConfig({ configFile, flags, env: io.env, cwd: io.cwd }).config;

  program
    .command('check')
    .description('check packages against the policy: npm:NAME[@VERSION] or pypi:NAME[==VERSION]')
    .argument('[specs...]', 'packages to check')
    .option('--json', 'print the decisions as JSON')
    .option('--offline', 'use only the bundled snapshots and lists (no network)')
    .option('--config <file>', 'configuration file (instead of a depfence.yaml found upward)')
    .addOption(new Option('--file <path>', 'read packages from a requirements.txt, package.json, package-lock.json or a list of specs (- = stdin)').default([]).argParser(collect))
    .action(async (specs: string[], options: { json?: boolean; offline?: boolean; config?: string; file: string[] }) => {
      const flags: FlagOverride[] = options.offline ? [{ path: ['offline'], value: true, flag: '--offline' }] : [];
      setExit(await runCheck(specs, { json: options.json ?? false, files: options.file, cwd: io.cwd, readStdin: io.readStdin }, load(options.config, flags), io.out));
    });

  program
    .command('serve')
    .description('run the firewall: the npm registry at the root, the PyPI simple index at /-/pypi/simple/')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default 4874)', parsePort)
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'where the cache, audit log and server.json live')
    .action(async (options: { host?: string; port?: number; config?: string; dataDir?: string }) => {
      const flags: FlagOverride[] = [];
      if (options.host !== undefined) flags.push({ path: ['server', 'host'], value: options.host, flag: '--host' });
      if (options.port !== undefined) flags.push({ path: ['server', 'port'], value: options.port, flag: '--port' });
      if (options.dataDir !== undefined) flags.push({ path: ['server', 'dataDir'], value: options.dataDir, flag: '--data-dir' });
      await runServe(load(options.config, flags), io.out);
    });

  program
    .command('log')
    .description('print recent decisions from the audit log')
    .option('--since <duration>', 'only decisions newer than this (e.g. 1h, 2d)')
    .option('--decision <verdict>', 'only allow, warn or deny')
    .option('--limit <n>', 'at most this many (the newest)', parsePositive, 50)
    .option('--json', 'one JSON record a line')
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'the data directory whose audit log to read')
    .action((options: { since?: string; decision?: string; limit: number; json?: boolean; config?: string; dataDir?: string }) => {
      const flags: FlagOverride[] = options.dataDir === undefined ? [] : [{ path: ['server', 'dataDir'], value: options.dataDir, flag: '--data-dir' }];
      runLog(load(options.config, flags), { since: options.since, decision: options.decision, limit: options.limit, json: options.json ?? false }, new Date(), io.out);
    });

  program
    .command('confusion-scan')
    .description('ask the public registries whether any name reserved in policy.confusion is already published there (exit 1 if so)')
    .option('--json', 'print the results as JSON')
    .option('--config <file>', 'configuration file')
    .action(async (options: { json?: boolean; config?: string }) => {
      setExit(await runConfusionScan(load(options.config, []), { json: options.json ?? false }, io.out));
    });

  return program;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

function parsePositive(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('give a whole number of at least 1');
  return value;
}

/** Runs `depfence ARGS…` and returns its exit code. */
export async function runDepfence(args: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.err(`depfence: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}
