// `depfence mirror --out BUNDLE.tgz --from FILE… [--python-version X.Y] [--platform TAG]…
// [--skip-denied] [--sign KEY]` and `depfence mirror --list BUNDLE.tgz`.
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { readManifestOnly } from '../mirror/bundle-read.js';
import type { BundleManifest } from '../protocol/bundle/manifest.js';
import { formatBytes, formatListing } from '../mirror/list.js';
import { deniedSubject, runMirror } from '../mirror/mirror.js';
import { createProgress } from '../mirror/progress.js';
import { findRealTool } from '../shims/real-tool.js';
import { EXIT } from '../policy/exit-codes.js';
import { UsageError } from './usage-error.js';

export interface MirrorCommandOptions {
  out?: string;
  from: string[];
  list?: string;
  pythonVersion?: string;
  platform: string[];
  skipDenied: boolean;
  sign?: string;
  python?: string;
  withFeeds?: boolean;
}

export interface MirrorIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export async function runMirrorCommand(config: Config, options: MirrorCommandOptions, io: MirrorIo): Promise<number> {
  if (options.list !== undefined) {
    if (options.out !== undefined || options.from.length > 0) throw new UsageError('--list reads a bundle; it takes no --out or --from');
    const file = resolve(io.cwd, options.list);
    io.out(formatListing(options.list, await readManifestOnly(file)));
    return EXIT.ok;
  }
  if (options.out === undefined) throw new UsageError('say where to write the bundle: --out BUNDLE.tgz (or --list BUNDLE.tgz to read one)');
  if (options.from.length === 0)
    throw new UsageError(
      'name what to mirror: --from requirements.txt, --from package.json, --from package-lock.json or --from models.lock (repeatable)',
    );
  if (options.pythonVersion !== undefined && !/^\d+(\.\d+){0,2}$/.test(options.pythonVersion))
    throw new UsageError(`--python-version "${options.pythonVersion}" is not a version such as 3.12`);
  for (const platform of options.platform)
    if (!/^[A-Za-z0-9_.-]+$/.test(platform))
      throw new UsageError(`--platform "${platform}" is not a platform tag such as manylinux2014_x86_64`);

  const tty = Boolean(process.stderr.isTTY as boolean | undefined) && io.env.TERM !== 'dumb' && !io.env.CI;
  const outcome = await runMirror(config, {
    out: resolve(io.cwd, options.out),
    inputs: options.from.map((file) => resolve(io.cwd, file)),
    pythonVersion: options.pythonVersion ?? null,
    platforms: options.platform,
    skipDenied: options.skipDenied,
    signKey: options.sign === undefined ? null : resolve(io.cwd, options.sign),
    withFeeds: options.withFeeds ?? false,
    python: options.python ?? 'python3',
    npm: findRealTool('npm', io.env, io.cwd)?.command ?? 'npm',
    env: io.env,
    progress: createProgress(io.err, tty),
  });
  const { manifest, bundle } = outcome;
  const models = manifest.models
    ? `, ${manifest.models.reduce((sum, repo) => sum + repo.files.length, 0)} model files of ${manifest.models.length} Hugging Face repos`
    : '';
  io.out(
    `wrote ${options.out}: ${manifest.artifacts.length} artifacts of ${manifest.packages.length} packages${models}, ${formatBytes(bundle.size)}, sha256 ${bundle.sha256}`,
  );
  if (outcome.signatureFile) io.out(`signed: ${outcome.signatureFile}`);
  io.out(threatDataLine(manifest.threatData ?? null));
  if (manifest.inputs.some((input) => input.kind === 'package.json'))
    io.out(`the resolved lockfile for npm ci: ${options.out}.package-lock.json`);
  for (const skipped of manifest.skipped) {
    io.out(`skipped (denied) ${deniedSubject(skipped)}: ${skipped.reasons.join('; ')}`);
  }
  return EXIT.ok;
}

function threatDataLine(threatData: BundleManifest['threatData'] | null): string {
  if (!threatData) return 'threat data: none (vetted with the bundled malicious lists only; run depfence update before mirroring)';
  return `threat data: vetted with the OSV index built ${threatData.builtAt}${threatData.index ? '; the index travels in the bundle (serve --offline uses it after import)' : ''}`;
}
