// `depfence pin --file FILE [--dry-run]`: a lockfile or requirements file pins versions the age gate
// holds back (published a day or two ago); move them to the newest versions allowed now, print
// what changed, and write the file only when every move is safe. Any error leaves it untouched.
import { DepfenceError, type DepfenceErrorOptions } from '../../errors.js';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Config } from '../../config/index.js';
import { canonicalName, type Ecosystem } from '../../names/index.js';
import { formatWhen, judgeVersion, newestAllowedVersion, type PolicyContext } from '../../policy/index.js';
import type { VersionManifest } from '../../protocol/npm/packument.js';
import { createDecider, type Decider } from '../../sources/decide.js';
import { fetchNpmPackument, npmPublishTimes } from '../../sources/npm-metadata.js';
import type { PypiReleases } from '../../protocol/pypi/json-api.js';
import { fetchPypiProject, pypiPublishTimes } from '../../sources/pypi-metadata.js';
import { EXIT } from '../../policy/exit-codes.js';
import { inCommand } from '../command-error.js';
import { UsageError } from '../usage-error.js';
import { strictly } from '../../inputs/input-error.js';
import { isLockfileName, readPackageLock } from '../../inputs/package-lock.js';
import { lockedVersions, pinLockfile } from './npm-lockfile.js';
import { pinRequirements, requirementPins } from './requirements.js';
import { PinRefusal, type HeldPin, type PinChange, type VersionChooser } from './types.js';

export interface PinOptions {
  file: string;
  cwd: string;
  dryRun: boolean;
}

interface PackageMetadata {
  times: ReadonlyMap<string, Date>;
  manifests?: Record<string, VersionManifest>;
  releases?: PypiReleases;
}

interface Located {
  path: string;
  name: string;
  version: string;
}

export async function runPin(
  options: PinOptions,
  config: Config,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const path = resolve(options.cwd, options.file);
  const label = options.file;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check the path given to --file`,
    );
  }
  if (config.offline) throw new UsageError("depfence pin needs the registry's publish times, so it does not run offline");
  const ecosystem: Ecosystem = isLockfileName(basename(path)) ? 'npm' : 'pypi';
  const decider = createDecider(config);
  const now = new Date();
  try {
    const result = ecosystem === 'npm' ? await pinNpm(text, label, decider, now, err) : await pinPypi(text, label, decider, now, err);
    if (result === null) {
      out(`${label}: no pinned version is held back by the age gate; nothing to change`);
      return EXIT.ok;
    }
    out(formatChanges(label, ecosystem, result.changes));
    if (options.dryRun) {
      out(`--dry-run: ${label} not written`);
      return EXIT.ok;
    }
    const temporary = `${path}.depfence-pin`;
    writeFileSync(temporary, result.text);
    renameSync(temporary, path);
    out(
      `${label} rewritten: ${result.changes.length} pin${result.changes.length === 1 ? '' : 's'} moved${ecosystem === 'npm' ? ' (npm ci installs it as it is now)' : ''}`,
    );
    return EXIT.ok;
  } catch (error) {
    throw error instanceof PinRefusal || error instanceof MetadataUnavailable
      ? inCommand(error, 'pin: ', `${label} was not changed`)
      : error;
  }
}

class MetadataUnavailable extends DepfenceError<'EPIN_FACTS'> {
  constructor(message: string, options?: DepfenceErrorOptions) {
    super('EPIN_FACTS', message, options);
  }
}

async function pinNpm(
  text: string,
  label: string,
  decider: Decider,
  now: Date,
  err: (text: string) => void,
): Promise<{ text: string; changes: PinChange[] } | null> {
  const { document: lock, entries } = strictly(readPackageLock(text, label));
  const locked = lockedVersions(entries);
  const metadata = await metadataByName('npm', locked, decider);
  const held = heldPins('npm', locked, metadata, decider.context, now, err);
  if (held.length === 0) return null;
  const { lockfile, changes } = pinLockfile(
    lock,
    held,
    chooser('npm', metadata, decider.context, now),
    (name, version) => metadata.get(name)?.manifests?.[version],
  );
  return { text: `${JSON.stringify(lockfile, null, indentOf(text))}${text.endsWith('\n') ? '\n' : ''}`, changes };
}

async function pinPypi(
  text: string,
  label: string,
  decider: Decider,
  now: Date,
  err: (text: string) => void,
): Promise<{ text: string; changes: PinChange[] } | null> {
  const pins = requirementPins(text, label);
  const metadata = await metadataByName('pypi', pins, decider);
  const held = heldPins('pypi', pins, metadata, decider.context, now, err).map((pin) => ({
    ...pin,
    line: pins.find((p) => p.path === pin.path)!.line,
  }));
  if (held.length === 0) return null;
  const hashesOf = (name: string, version: string) => {
    const files = metadata.get(name)?.releases?.[version];
    if (!files) return null;
    const digests = files.map((file) => file.digests.sha256).filter((digest): digest is string => typeof digest === 'string');
    return digests.length === files.length ? digests : null;
  };
  return pinRequirements(text, held, chooser('pypi', metadata, decider.context, now), hashesOf);
}

/** One metadata fetch per package (the HTTP client bounds concurrency); a failure stops the pin. */
async function metadataByName(ecosystem: Ecosystem, located: readonly Located[], decider: Decider): Promise<Map<string, PackageMetadata>> {
  const names = [...new Set(located.map((entry) => entry.name))];
  const { upstreams } = decider.config;
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, PackageMetadata]> => {
      try {
        if (ecosystem === 'npm') {
          const answer = await fetchNpmPackument(decider.http, upstreams.npm.registry, name);
          if (!answer.found) throw new Error(`the registry has no package named ${name}`);
          return [
            name,
            { times: npmPublishTimes(answer.packument, answer.unreadableVersions).versions, manifests: answer.packument.versions },
          ];
        }
        const answer = await fetchPypiProject(decider.http, upstreams.pypi.json, name);
        if (!answer.found) throw new Error(`the index has no project named ${name}`);
        return [name, { times: pypiPublishTimes(answer.releases).versions, releases: answer.releases }];
      } catch (error) {
        throw new MetadataUnavailable(`the publish times of ${name} could not be obtained (${(error as Error).message})`);
      }
    }),
  );
  return new Map(entries);
}

/** Pins hidden only by the age gate; pins denied for other reasons are reported and left alone. */
function heldPins(
  ecosystem: Ecosystem,
  located: readonly Located[],
  metadata: Map<string, PackageMetadata>,
  ctx: PolicyContext,
  now: Date,
  err: (text: string) => void,
): HeldPin[] {
  const held: HeldPin[] = [];
  for (const entry of located) {
    const times = metadata.get(entry.name)!.times;
    const verdict = judgeVersion(
      {
        ecosystem,
        name: entry.name,
        canonicalName: canonicalName(ecosystem, entry.name),
        version: entry.version,
        published: times.get(entry.version) ?? null,
      },
      ctx,
      now,
    );
    if (!verdict.hidden) continue;
    const age = verdict.findings.find((finding) => typeof finding.evidence.allowedFrom === 'string');
    if (!age || verdict.findings.length > 1) {
      err(
        `depfence pin: ${entry.name} ${entry.version} (${entry.path}) is denied for a reason pin does not address, left as it is: ${verdict.findings.map((finding) => finding.message).join('; ')}`,
      );
      continue;
    }
    held.push({ ...entry, reason: age.message, allowedFrom: formatWhen(new Date(age.evidence.allowedFrom as string)) });
  }
  return held;
}

function chooser(ecosystem: Ecosystem, metadata: Map<string, PackageMetadata>, ctx: PolicyContext, now: Date): VersionChooser {
  return (pin, accepts) =>
    newestAllowedVersion(
      {
        ecosystem,
        name: pin.name,
        canonicalName: canonicalName(ecosystem, pin.name),
        below: pin.version,
        times: metadata.get(pin.name)!.times,
        accepts,
      },
      ctx,
      now,
    );
}

function formatChanges(label: string, ecosystem: Ecosystem, changes: readonly PinChange[]): string {
  const at = ecosystem === 'npm' ? '@' : '==';
  const lines = [`--- ${label}`, `+++ ${label} (pinned to versions allowed now)`];
  for (const change of changes) {
    lines.push(`- ${change.name}${at}${change.from}   ${change.where}`, `+ ${change.name}${at}${change.to}`, `    ${change.reason}`);
  }
  return lines.join('\n');
}

function indentOf(text: string): string | number {
  return /^\{\r?\n([ \t]+)"/.exec(text)?.[1] ?? 2;
}
