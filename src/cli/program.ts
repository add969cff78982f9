// The `depfence` command line. Each subcommand lives in its own module, loaded only when that
// command runs (so `depfence --help` or `depfence check` never load the registry server); this
// file only parses the arguments, loads the configuration and reports errors (command-error.ts). It takes
// its input and output as arguments, so tests can run it in-process; main.ts binds it to the real process.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { FlagOverride } from '../config/index.js';
import { isDepfenceError } from '../errors.js';
import { EXIT } from '../policy/exit-codes.js';
import { reportError } from './command-error.js';

/** Where a run of the command line reads its environment and writes its output. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  readStdin: () => string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('depfence')
    .description(
      'A local registry firewall for npm and PyPI: age gates, download floors, typosquat, malicious and dependency-confusion checks.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.replace(/\n$/, '')), writeErr: (text) => io.err(text.replace(/\n$/, '')) });
  const load = async (configFile: string | undefined, flags: FlagOverride[]) =>
    (await import('../config/index.js')).loadConfig({ configFile, flags, env: io.env, cwd: io.cwd }).config;

  program
    .command('check')
    .description('check packages against the policy: npm:NAME[@VERSION], pypi:NAME[==VERSION] or hf:ORG/NAME[@REVISION]')
    .argument('[specs...]', 'packages to check')
    .option('--json', 'print the decisions as JSON')
    .option('--offline', 'use only the bundled snapshots and lists (no network)')
    .option('--suggest', 'also list the popular names each package resembles (for vetting a list of names)')
    .option('--config <file>', 'configuration file (instead of a depfence.yaml found upward)')
    .option('--data-dir <dir>', 'the data directory whose threat-data index to use')
    .addOption(
      new Option('--file <path>', 'read packages from a requirements.txt, package.json, package-lock.json or a list of specs (- = stdin)')
        .default([])
        .argParser(collect),
    )
    .action(
      async (
        specs: string[],
        options: { json?: boolean; offline?: boolean; suggest?: boolean; config?: string; dataDir?: string; file: string[] },
      ) => {
        const flags: FlagOverride[] = options.offline ? [{ path: ['offline'], value: true, flag: '--offline' }] : [];
        if (options.dataDir !== undefined) flags.push(dataDirFlag(options.dataDir));
        const tty = Boolean(process.stderr.isTTY as boolean | undefined) && io.env.TERM !== 'dumb' && !io.env.CI;
        const progress = tty ? (await import('../mirror/progress.js')).createProgress(io.err, true) : undefined;
        const checkOptions = {
          json: options.json ?? false,
          suggest: options.suggest ?? false,
          files: options.file,
          cwd: io.cwd,
          readStdin: io.readStdin,
          ...(progress && { progress }),
        };
        setExit(await (await import('./check.js')).runCheck(specs, checkOptions, await load(options.config, flags), io.out));
      },
    );

  program
    .command('pin')
    .description('move pins the age gate holds back (in a package-lock.json or requirements file) to the newest versions allowed now')
    .requiredOption('--file <path>', 'package-lock.json, npm-shrinkwrap.json or a requirements file')
    .option('--dry-run', 'print the changes without writing the file')
    .option('--config <file>', 'configuration file')
    .action(async (options: { file: string; dryRun?: boolean; config?: string }) => {
      const { runPin } = await import('./pin/pin.js');
      setExit(
        await runPin({ file: options.file, cwd: io.cwd, dryRun: options.dryRun ?? false }, await load(options.config, []), io.out, io.err),
      );
    });

  const models = program.command('models').description('Hugging Face models and datasets: pin them with a lock file');
  models
    .command('lock')
    .description(
      "pin repos to the commit their revision names now, with every file's hash: depfence models lock --out models.lock ORG/NAME[@REVISION]…",
    )
    .argument('<repos...>', 'repos to lock: ORG/NAME[@REVISION] or datasets/ORG/NAME[@REVISION]')
    .requiredOption('--out <file>', 'the lock file to write (repos already in it are kept)')
    .option('--config <file>', 'configuration file')
    .action(async (repos: string[], options: { out: string; config?: string }) => {
      setExit(
        await (await import('./models.js')).runModelsLock(repos, { out: options.out, cwd: io.cwd }, await load(options.config, []), io.out),
      );
    });

  program
    .command('update')
    .description('download the OSV malicious-package and vulnerability feeds for npm and PyPI and rebuild the threat-data index')
    .option('--from <dir-or-url>', 'a folder holding npm/all.zip and PyPI/all.zip, or the feed URL (default feeds.osv.url)')
    .option('--json', 'print the result as JSON')
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'the data directory to write the index into')
    .action(async (options: { from?: string; json?: boolean; config?: string; dataDir?: string }) => {
      const flags = options.dataDir === undefined ? [] : [dataDirFlag(options.dataDir)];
      const { runUpdate } = await import('./update.js');
      setExit(await runUpdate(await load(options.config, flags), { from: options.from, json: options.json ?? false, cwd: io.cwd }, io));
    });

  program
    .command('serve')
    .description('run the firewall: the npm registry at the root, the PyPI simple index at /-/pypi/simple/')
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on; 0 picks a free one (default 4874)', parsePort)
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'where the cache, audit log and server.json live')
    .option('--offline', 'contact no upstream: serve only the packages imported with depfence import')
    .action(async (options: { host?: string; port?: number; config?: string; dataDir?: string; offline?: boolean }) => {
      const flags: FlagOverride[] = [];
      if (options.offline) flags.push({ path: ['offline'], value: true, flag: '--offline' });
      if (options.host !== undefined) flags.push({ path: ['server', 'host'], value: options.host, flag: '--host' });
      if (options.port !== undefined) flags.push({ path: ['server', 'port'], value: options.port, flag: '--port' });
      if (options.dataDir !== undefined) flags.push({ path: ['server', 'dataDir'], value: options.dataDir, flag: '--data-dir' });
      await (await import('./serve.js')).runServe(await load(options.config, flags), io.out, { fixedPort: options.port !== undefined });
    });

  program
    .command('mirror')
    .description(
      'resolve the dependency closure of requirements/package files through the firewall into a vetted bundle for air-gapped use',
    )
    .option('--out <bundle>', 'the bundle to write (BUNDLE.tgz)')
    .addOption(
      new Option('--from <file>', 'a requirements.txt, package.json or package-lock.json (repeatable)').default([]).argParser(collect),
    )
    .option('--python-version <x.y>', 'resolve PyPI wheels for this Python version (pip download --python-version)')
    .addOption(
      new Option('--platform <tag>', 'resolve PyPI wheels for this platform tag (repeatable; pip download --platform)')
        .default([])
        .argParser(collect),
    )
    .option('--skip-denied', 'leave denied packages out (listed in the manifest as skipped) instead of failing')
    .option('--sign <key>', 'sign the bundle with this ed25519 private key (PEM): writes BUNDLE.sig')
    .option('--python <exe>', 'the Python whose pip resolves PyPI requirements (default python3)')
    .option('--with-feeds', 'carry the threat-data index (depfence update) in the bundle, for serve --offline')
    .option('--list <bundle>', 'print what a bundle holds, and stop')
    .option('--config <file>', 'configuration file')
    .action(
      async (options: {
        out?: string;
        from: string[];
        pythonVersion?: string;
        platform: string[];
        skipDenied?: boolean;
        sign?: string;
        python?: string;
        list?: string;
        withFeeds?: boolean;
        config?: string;
      }) => {
        const mirrorOptions = { ...options, skipDenied: options.skipDenied ?? false };
        setExit(await (await import('./mirror.js')).runMirrorCommand(await load(options.config, []), mirrorOptions, io));
      },
    );

  program
    .command('import')
    .description('verify a bundle made by depfence mirror and add it to the offline store (served by depfence serve --offline)')
    .argument('<bundle>', 'the bundle (BUNDLE.tgz)')
    .option('--data-dir <dir>', 'the data directory whose offline store to add to')
    .option('--verify-key <pub>', 'require a valid signature (BUNDLE.sig) by this ed25519 public key (PEM)')
    .option('--signature <file>', 'the detached signature, if not BUNDLE.sig')
    .option('--config <file>', 'configuration file')
    .action(async (bundle: string, options: { dataDir?: string; verifyKey?: string; signature?: string; config?: string }) => {
      const flags: FlagOverride[] =
        options.dataDir === undefined ? [] : [{ path: ['server', 'dataDir'], value: options.dataDir, flag: '--data-dir' }];
      setExit(await (await import('./import.js')).runImportCommand(await load(options.config, flags), bundle, options, io));
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
    .action(async (options: { since?: string; decision?: string; limit: number; json?: boolean; config?: string; dataDir?: string }) => {
      const { runLog } = await import('./log.js');
      const flags: FlagOverride[] =
        options.dataDir === undefined ? [] : [{ path: ['server', 'dataDir'], value: options.dataDir, flag: '--data-dir' }];
      runLog(
        await load(options.config, flags),
        { since: options.since, decision: options.decision, limit: options.limit, json: options.json ?? false },
        new Date(),
        io.out,
      );
    });

  program
    .command('confusion-scan')
    .description('ask the public registries whether any name reserved in policy.confusion is already published there (exit 1 if so)')
    .option('--json', 'print the results as JSON')
    .option('--config <file>', 'configuration file')
    .action(async (options: { json?: boolean; config?: string }) => {
      setExit(
        await (
          await import('./confusion-scan.js')
        ).runConfusionScan(await load(options.config, []), { json: options.json ?? false }, io.out),
      );
    });

  program
    .command('shell-init')
    .description('print the lines that put the pip, npm, npx and uv shims first on PATH: eval "$(depfence shell-init bash)"')
    .argument('[shell]', 'bash, zsh or fish (default: from $SHELL)')
    .action(async (shell: string | undefined) => {
      const { shellInit } = await import('./shell-init.js');
      io.out(shellInit(shell, io.env).replace(/\n$/, ''));
    });

  program
    .command('install-shims')
    .description('write pip, pip3, npm, npx and uv launchers and the depfence command into a folder (for CI images)')
    .requiredOption('--dir <dir>', 'the folder to write them to (put it first on PATH)')
    .option('--force', 'replace files there that are not depfence shims')
    .action(async (options: { dir: string; force?: boolean }) => {
      const [{ installShims }, { firewallHubEndpoint }] = await Promise.all([import('./install-shims.js'), import('./doctor.js')]);
      setExit(
        installShims(
          { dir: options.dir, force: options.force ?? false, cwd: io.cwd, hubEndpoint: firewallHubEndpoint(await load(undefined, [])) },
          io.out,
        ),
      );
    });

  const user = program
    .command('user')
    .description("users of depfence's own npm registry, who may publish the internal names (policy.confusion.npm)");
  user
    .command('add')
    .description('add a user (the password is read from standard input); they log in with npm login --auth-type=legacy')
    .argument('<name>', 'the user name')
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'the data directory of the depfence serve whose registry the user is for')
    .action(async (name: string, options: { config?: string; dataDir?: string }) => {
      const flags = options.dataDir === undefined ? [] : [dataDirFlag(options.dataDir)];
      setExit(await (await import('./user.js')).runUserAdd(name, io.readStdin(), await load(options.config, flags), io));
    });

  program
    .command('doctor')
    .description('check that pip, npm and uv go through the shims, that the firewall is healthy, and which settings could bypass it')
    .option('--config <file>', 'configuration file')
    .action(async (options: { config?: string }) => {
      setExit(
        await (
          await import('./doctor.js')
        ).runDoctor(
          (await import('../config/index.js')).loadConfig({ configFile: options.config, env: io.env, cwd: io.cwd }),
          io.env,
          io.cwd,
          io.out,
        ),
      );
    });

  return program;
}

function dataDirFlag(dir: string): FlagOverride {
  return { path: ['server', 'dataDir'], value: dir, flag: '--data-dir' };
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
    if (isDepfenceError(error)) return reportError(error, io.err);
    throw error;
  }
}
