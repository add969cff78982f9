// `depfence mirror`: a vetted bundle of everything the input files need. The closure is resolved
// by the real tools through a firewall started in this process, so every package and version
// meets the same policy as an online install: `pip download --only-binary=:all:` against its
// PyPI index, `npm install --package-lock-only` against its npm registry (or a given lockfile
// as it is). Each artifact is then collected through the firewall, checked, and written with the
// manifest into a gzip tarball; optionally signed. A denied package fails the run with its reasons,
// or with --skip-denied is left out and listed in the manifest.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import semver from 'semver';
import type { Config } from '../config/index.js';
import type { Ecosystem } from '../names/index.js';
import { deniedOnlyForMissingFacts, type Decision } from '../policy/index.js';
import type { AuditRecord } from '../server/audit.js';
import { writeBundle, type WrittenBundle } from './bundle-write.js';
import { emptyCollection, mergeCollections, type Collection, type Denial } from './collect.js';
import { collectNpm } from './collect-npm.js';
import { collectPypi } from './collect-pypi.js';
import { collectModels } from './collect-models.js';
import { modelPolicyContext } from '../sources/model-policy.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import { startMirrorFirewall, type MirrorFirewall } from './firewall.js';
import {
  classifyInput,
  readModelsLock,
  readLockfile,
  readPackageJson,
  readRequirements,
  renderRequirements,
  type LockedPackage,
  type MirrorInput,
  type RequirementSet,
} from './inputs.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type ModelRepoRecord,
  type SkippedPackage,
} from '../protocol/bundle/manifest.js';
import { depfenceVersion, policyRecord } from './policy-record.js';
import type { Progress } from './progress.js';
import { SIGNATURE_SUFFIX, signBundle } from './signature.js';
import { npmLockOnly, pipDownload } from './tools.js';
import { denialReasons } from './vetting.js';
import { carryThreatData } from './threat-data.js';

export interface MirrorOptions {
  out: string;
  /** Absolute paths of the input files. */
  inputs: string[];
  pythonVersion: string | null;
  platforms: string[];
  skipDenied: boolean;
  /** A PEM ed25519 private key: write BUNDLE.sig. */
  signKey: string | null;
  /** Carry the threat-data index in the bundle (the manifest records its date either way). */
  withFeeds?: boolean;
  python: string;
  npm: string;
  env: NodeJS.ProcessEnv;
  progress: Progress;
  now?: () => Date;
}

export interface MirrorOutcome {
  bundle: WrittenBundle;
  manifest: BundleManifest;
  signatureFile: string | null;
}

export async function runMirror(config: Config, options: MirrorOptions): Promise<MirrorOutcome> {
  if (config.offline)
    throw new MirrorError(
      'EINPUT',
      'depfence mirror needs the upstream registries, but offline is set (offline: true); run it on a connected machine',
    );
  const inputs = options.inputs.map(classifyInput);
  const requirementSets = inputs.filter((input) => input.kind === 'requirements').map((input) => readRequirements(input.file));
  const ecosystems = new Set<Ecosystem>(
    inputs.flatMap((input): Ecosystem[] => (input.kind === 'models-lock' ? [] : input.kind === 'requirements' ? ['pypi'] : ['npm'])),
  );
  const lockedRepos = uniqueRepos(inputs.filter((input) => input.kind === 'models-lock').flatMap((input) => readModelsLock(input.file)));
  const now = (options.now ?? (() => new Date()))();
  const workDir = mkdtempSync(join(tmpdir(), 'depfence-mirror-'));
  const { progress } = options;
  let firewall: MirrorFirewall | null = null;
  try {
    progress.step(`starting a firewall for ${[...ecosystems, ...(lockedRepos.length > 0 ? ['Hugging Face'] : [])].join(' and ')}`);
    firewall = await startMirrorFirewall(config, workDir, ecosystems, lockedRepos.length > 0);
    const collection = emptyCollection();
    const skipped: SkippedPackage[] = [];
    const denied = (denials: Denial[]) => {
      if (denials.length === 0) return;
      if (!options.skipDenied) throw deniedError(denials);
      skipped.push(
        ...denials.map((denial) => ({
          ecosystem: denial.ecosystem,
          name: denial.name,
          version: denial.version,
          ...(denial.file !== undefined && { file: denial.file }),
          reasons: denial.reasons,
        })),
      );
    };

    if (requirementSets.length > 0) {
      const merged: RequirementSet = {
        requirements: requirementSets.flatMap((set) => set.requirements),
        constraints: [...new Set(requirementSets.flatMap((set) => set.constraints))],
        options: [...new Set(requirementSets.flatMap((set) => set.options))],
      };
      mergeCollections(collection, await mirrorPypi(config, options, firewall, merged, workDir, now, denied));
    }
    if (ecosystems.has('npm')) {
      const locked = await lockedPackages(config, options, firewall, inputs, workDir, now, denied);
      if (locked.length > 0) {
        const npmCollection = await collectNpm({ firewall, config, locked, workDir, now, progress });
        denied(npmCollection.denials);
        mergeCollections(collection, { ...npmCollection, denials: [] });
      }
    }
    denied(collection.denials);
    let models: ModelRepoRecord[] | undefined;
    if (lockedRepos.length > 0) {
      const collected = await collectModels({ firewall, policy: modelPolicyContext(config), repos: lockedRepos, workDir, now, progress });
      denied(collected.denials);
      for (const [sha256, file] of collected.files) collection.files.set(sha256, file);
      models = collected.models;
    }
    const threatData = await carryThreatData(
      firewall.context.decider.threatData.status(),
      options.withFeeds ?? false,
      workDir,
      config.server.dataDir,
    );
    if (threatData.file) collection.files.set(threatData.file.sha256, threatData.file.path);

    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      createdAt: now.toISOString(),
      depfenceVersion: depfenceVersion(),
      policy: policyRecord(config),
      inputs: inputs.map((input) => ({ kind: input.kind, file: basename(input.file) })),
      target: { pythonVersion: options.pythonVersion, platforms: options.platforms },
      packages: collection.packages,
      artifacts: collection.artifacts,
      skipped,
      threatData: threatData.record,
      ...(models && { models }),
    };
    progress.step(`writing ${options.out}`);
    const bundle = await writeBundle(options.out, manifest, collection.files);
    let signatureFile: string | null = null;
    if (options.signKey) {
      signatureFile = `${options.out}${SIGNATURE_SUFFIX}`;
      await writeFile(signatureFile, `${JSON.stringify(signBundle(bundle.sha256, options.signKey), null, 2)}\n`);
    }
    return { bundle, manifest, signatureFile };
  } finally {
    await firewall?.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function mirrorPypi(
  config: Config,
  options: MirrorOptions,
  firewall: MirrorFirewall,
  set: RequirementSet,
  workDir: string,
  now: Date,
  denied: (denials: Denial[]) => void,
): Promise<Collection> {
  const { progress } = options;
  const decider = firewall.context.decider;
  progress.step(`checking ${set.requirements.length} PyPI requirement(s)`);
  const preflight = await Promise.all(
    set.requirements.map(async (requirement) => ({
      requirement,
      decision: await decider.decide({ ecosystem: 'pypi', name: requirement.name, version: requirement.pin }, now),
    })),
  );
  const refused = preflight.filter(({ decision }) => decision.decision === 'deny' && config.mode === 'enforce');
  denied(uniqueDenials(refused.map(({ decision }) => denialOf(decision))));
  const kept = set.requirements.filter((requirement) => !refused.some((entry) => entry.requirement === requirement));
  if (kept.length === 0) return emptyCollection();

  const requirementsFile = join(workDir, 'requirements.txt');
  writeFileSync(
    requirementsFile,
    renderRequirements(set, (requirement) => kept.includes(requirement)),
  );
  const downloadDir = join(workDir, 'pypi-files');
  progress.step('resolving the PyPI closure (pip download through the firewall)');
  const before = firewall.decisions.length;
  const pip = await pipDownload({
    python: options.python,
    indexUrl: `${firewall.url}/-/pypi/simple/`,
    requirementsFile,
    dir: downloadDir,
    pythonVersion: options.pythonVersion,
    platforms: options.platforms,
    env: options.env,
  });
  if (pip.code !== 0) throw resolutionFailure('pip download', pip.output, firewall.decisions.slice(before), 'pypi', options.skipDenied);
  return collectPypi({ firewall, config, downloadDir, workDir, now, progress });
}

async function lockedPackages(
  config: Config,
  options: MirrorOptions,
  firewall: MirrorFirewall,
  inputs: MirrorInput[],
  workDir: string,
  now: Date,
  denied: (denials: Denial[]) => void,
): Promise<LockedPackage[]> {
  const all = new Map<string, LockedPackage>();
  const add = (packages: LockedPackage[]) =>
    packages.forEach((locked) => all.set(`${locked.name}@${locked.version}`, all.get(`${locked.name}@${locked.version}`) ?? locked));
  let index = 0;
  for (const input of inputs) {
    if (input.kind === 'package-lock') add(readLockfile(input.file));
    if (input.kind !== 'package.json') continue;
    const { manifest, dependencies } = readPackageJson(input.file);
    if (manifest.workspaces !== undefined)
      throw new MirrorError('EINPUT', `${input.file} declares workspaces; give depfence mirror its package-lock.json instead`);
    options.progress.step(`checking ${dependencies.length} npm dependencies of ${input.file}`);
    const decider = firewall.context.decider;
    const decisions = await Promise.all(
      dependencies.map((dependency) =>
        decider.decide({ ecosystem: 'npm', name: dependency.name, version: semver.valid(dependency.range) }, now),
      ),
    );
    const refused = decisions.filter((decision) => decision.decision === 'deny' && config.mode === 'enforce');
    denied(uniqueDenials(refused.map(denialOf)));
    const refusedNames = new Set(refused.map((decision) => decision.name));
    const project = join(workDir, `npm-project-${index++}`);
    const trimmed: Record<string, unknown> = { name: 'depfence-mirror-project', version: '0.0.0', private: true };
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides', 'engines'] as const) {
      const value = manifest[field];
      if (value === undefined) continue;
      trimmed[field] =
        field === 'overrides' || field === 'engines'
          ? value
          : Object.fromEntries(Object.entries(value as Record<string, string>).filter(([name]) => !refusedNames.has(name)));
    }
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(trimmed, null, 2)}\n`);
    options.progress.step(`resolving the npm closure of ${input.file} (npm install --package-lock-only through the firewall)`);
    const before = firewall.decisions.length;
    const npm = await npmLockOnly({ npm: options.npm, registry: `${firewall.url}/`, projectDir: project, workDir, env: options.env });
    if (npm.code !== 0)
      throw resolutionFailure('npm install --package-lock-only', npm.output, firewall.decisions.slice(before), 'npm', options.skipDenied);
    add(readLockfile(join(project, 'package-lock.json')));
    // Kept beside the bundle: the lockfile `npm ci` needs to install exactly what was mirrored.
    copyFileSync(join(project, 'package-lock.json'), `${options.out}.package-lock.json`);
  }
  return [...all.values()];
}

function denialOf(decision: Decision): Denial {
  return {
    ecosystem: decision.ecosystem,
    name: decision.name,
    version: decision.version,
    reasons: denialReasons(decision),
    factsUnavailable: deniedOnlyForMissingFacts(decision),
  };
}

function uniqueDenials(denials: Denial[]): Denial[] {
  const seen = new Map<string, Denial>();
  for (const denial of denials) seen.set(`${denial.ecosystem}:${denial.name}@${denial.version ?? ''} ${denial.file ?? ''}`, denial);
  return [...seen.values()];
}

/** The same repo at the same commit named by two locks is mirrored once. */
function uniqueRepos(repos: LockedRepos): LockedRepos {
  const seen = new Map<string, LockedRepos[number]>();
  for (const repo of repos) seen.set(`${repo.kind}:${repo.id.toLowerCase()}@${repo.commit}`, repo);
  return [...seen.values()];
}

type LockedRepos = ReturnType<typeof readModelsLock>;

/** `npm:name@1.0.0`, `pypi:name==1.0.0`, `huggingface:org/name@<commit> file`. */
export function deniedSubject(denial: Pick<Denial, 'ecosystem' | 'name' | 'version' | 'file'>): string {
  const separator = denial.ecosystem === 'pypi' ? '==' : '@';
  return `${denial.ecosystem}:${denial.name}${denial.version ? `${separator}${denial.version}` : ''}${denial.file ? ` ${denial.file}` : ''}`;
}

/** Denied packages and model files; EFACTS when every denial is only for facts that could not be had (try again later). */
function deniedError(denials: Denial[], message?: string): MirrorError {
  const details = uniqueDenials(denials).map((denial) => `${deniedSubject(denial)}: ${denial.reasons.join('; ')}`);
  const code = denials.every((denial) => denial.factsUnavailable) ? 'EFACTS' : 'EDENIED';
  return new MirrorError(
    code,
    message ??
      `${details.length} package(s) or model file(s) denied by the policy, so no bundle was written (remove them, allow them in depfence.yaml, or pass --skip-denied to leave them out):`,
    details,
  );
}

/** pip or npm failed: the firewall's package-level denials explain it if there are any, else the tool's own words. */
function resolutionFailure(tool: string, output: string, decisions: AuditRecord[], ecosystem: Ecosystem, skipDenied: boolean): MirrorError {
  const denials = decisions.filter(
    (record): record is AuditRecord & Decision => record.ecosystem === ecosystem && record.decision === 'deny' && record.mode === 'enforce',
  );
  const packageLevel = uniqueDenials(denials.filter((record) => record.version === null).map(denialOf));
  if (packageLevel.length > 0) {
    return deniedError(
      packageLevel,
      skipDenied
        ? 'a dependency (not named in the input files) is denied, so the closure cannot be resolved; --skip-denied leaves out only packages the input files name:'
        : undefined,
    );
  }
  const hidden = uniqueDenials(denials.map(denialOf)).map(
    (denial) => `${denial.name}${ecosystem === 'npm' ? '@' : '=='}${denial.version}: ${denial.reasons.join('; ')}`,
  );
  const tail = output.trim().split('\n').slice(-15);
  return new MirrorError(
    'ERESOLVE',
    `${tool} could not resolve the inputs through the firewall${hidden.length ? ' (versions the policy hides are listed first)' : ''}:`,
    [...hidden.slice(0, 20), ...tail],
  );
}
