// The npm half of a mirror: every package version of a lockfile, vetted with the same facts and
// policy as the firewall, its tarball fetched through the firewall (which refuses hidden versions
// and checks the bytes against the packument), checked again against the lockfile's integrity,
// and kept with its version document and publish time so the offline side can build packuments.
import { writeFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pLimit from 'p-limit';
import ssri from 'ssri';
import type { Config } from '../config/index.js';
import { deniedOnlyForMissingFacts } from '../policy/index.js';
import { checkIntegrity } from '../protocol/npm/integrity.js';
import { fetchNpmPackument, type NpmPackument } from '../sources/npm-metadata.js';
import { emptyCollection, type Collection } from './collect.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import type { MirrorFirewall } from './firewall.js';
import type { LockedPackage } from './inputs.js';
import type { NpmArtifact } from '../protocol/bundle/manifest.js';
import { tarballPath } from '../protocol/npm/paths.js';
import type { Progress } from './progress.js';
import { denialReasons, recordFacts, vetPackage, versionDecision, type Vetted } from './vetting.js';

export interface NpmCollectOptions {
  firewall: MirrorFirewall;
  config: Config;
  locked: LockedPackage[];
  workDir: string;
  now: Date;
  progress: Progress;
}

export async function collectNpm(options: NpmCollectOptions): Promise<Collection> {
  const { firewall, config, now, progress } = options;
  const decider = firewall.context.decider;
  const collection = emptyCollection();
  const dir = join(options.workDir, 'npm-tarballs');
  await mkdir(dir, { recursive: true });
  const byName = new Map<string, LockedPackage[]>();
  for (const locked of options.locked) byName.set(locked.name, [...(byName.get(locked.name) ?? []), locked]);
  const limit = pLimit(4);
  progress.start(options.locked.length, 'collecting npm tarballs');

  await Promise.all(
    [...byName].map(([name, versions]) =>
      limit(async () => {
        const vetted = await vetPackage(decider, config, 'npm', name, now);
        if (vetted.decision.decision === 'deny' && config.mode === 'enforce') {
          collection.denials.push({
            ecosystem: 'npm',
            name,
            version: null,
            reasons: denialReasons(vetted.decision),
            factsUnavailable: deniedOnlyForMissingFacts(vetted.decision),
          });
          for (const locked of versions) progress.tick(`${name}@${locked.version} (denied)`);
          return;
        }
        const registry =
          decider.internalRule('npm', name) !== null && config.upstreams.npm.internal
            ? config.upstreams.npm.internal
            : config.upstreams.npm.registry;
        const answer = await fetchNpmPackument(decider.http, registry, name).catch((error: unknown) => {
          throw new MirrorError('EFACTS', `the packument of ${name} could not be fetched from ${registry}: ${(error as Error).message}`);
        });
        if (!answer.found) throw new MirrorError('ERESOLVE', `${name} is in the lockfile but not on the registry ${registry}`);
        const times: Record<string, Date | null> = {};
        let mirrored = 0;
        for (const locked of versions) {
          const artifact = await collectVersion(options, vetted, answer.packument, locked, dir, collection);
          progress.tick(`${name}@${locked.version}${artifact ? '' : ' (denied)'}`);
          if (!artifact) continue;
          times[locked.version] = new Date(artifact.published);
          mirrored++;
        }
        if (mirrored === 0) return;
        const distTags = Object.fromEntries(Object.entries(answer.packument['dist-tags']).filter(([, version]) => version in times));
        collection.packages.push({
          ecosystem: 'npm',
          name,
          origin: vetted.origin,
          decision: vetted.decision,
          facts: recordFacts(vetted, times),
          distTags,
        });
      }),
    ),
  );
  progress.stop();
  collection.packages.sort((a, b) => a.name.localeCompare(b.name));
  collection.artifacts.sort((a, b) => `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`));
  return collection;
}

async function collectVersion(
  options: NpmCollectOptions,
  vetted: Vetted,
  packument: NpmPackument,
  locked: LockedPackage,
  dir: string,
  collection: Collection,
): Promise<NpmArtifact | null> {
  const { firewall, config } = options;
  const { name, version } = locked;
  const manifest = packument.versions[version];
  if (!manifest)
    throw new MirrorError('ERESOLVE', `${name}@${version} is in the lockfile (${locked.path}) but the registry has no such version`);
  const decision = versionDecision(vetted, firewall.context.decider, version);
  if (decision.decision === 'deny' && config.mode === 'enforce') {
    collection.denials.push({
      ecosystem: 'npm',
      name,
      version,
      reasons: denialReasons(decision),
      factsUnavailable: deniedOnlyForMissingFacts(decision),
    });
    return null;
  }
  const filename = tarballFilename(name, version, manifest.dist?.tarball);
  const answer = await fetch(`${firewall.url}${tarballPath(name, filename)}`, {
    headers: { 'user-agent': 'depfence-mirror', 'accept-encoding': 'identity' },
  });
  const bytes = Buffer.from(await answer.arrayBuffer());
  if (answer.status === 403 && refusedForMissingFacts(bytes)) {
    throw new MirrorError('EFACTS', `the firewall could not check ${name}@${version}: ${errorText(bytes)}`);
  }
  if (answer.status === 403) {
    collection.denials.push({ ecosystem: 'npm', name, version, reasons: [errorText(bytes)], factsUnavailable: false });
    return null;
  }
  if (answer.status !== 200)
    throw new MirrorError('ERESOLVE', `the firewall answered HTTP ${answer.status} for ${name}@${version}: ${errorText(bytes)}`);
  const published = packument.time[version];
  if (typeof published !== 'string' || Number.isNaN(Date.parse(published)))
    throw new MirrorError('ERESOLVE', `${name}@${version} has no publish time in its packument, so it cannot be vetted`);
  if (locked.integrity) {
    const check = checkIntegrity(bytes, locked.integrity, null);
    if (!check.ok)
      throw new MirrorError(
        'EINPUT',
        `the tarball of ${name}@${version} does not match the lockfile (${locked.path}): ${check.reason.replace("the packument's dist.integrity", 'the lockfile')}`,
      );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const integrity = ssri.fromData(bytes, { algorithms: ['sha512'] }).toString();
  const path = join(dir, sha256);
  await writeFile(path, bytes);
  collection.files.set(sha256, path);
  const artifact: NpmArtifact = {
    ecosystem: 'npm',
    name,
    version,
    filename,
    sha256,
    integrity,
    size: bytes.length,
    upstreamUrl: typeof manifest.dist?.tarball === 'string' ? manifest.dist.tarball : (locked.resolved ?? ''),
    published: new Date(published).toISOString(),
    manifest: manifest,
    decision,
  };
  collection.artifacts.push(artifact);
  return artifact;
}

/** `name-1.2.3.tgz`, from the packument's tarball URL when it names a safe file, else npm's convention. */
function tarballFilename(name: string, version: string, tarball: string | undefined): string {
  const fromUrl = tarball ? decodeURIComponent(tarball.split('?', 1)[0]!.slice(tarball.lastIndexOf('/') + 1)) : '';
  if (/^[A-Za-z0-9][A-Za-z0-9._+!~-]*\.tgz$/.test(fromUrl) && !fromUrl.includes('..')) return fromUrl;
  return `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
}

/** A refusal the firewall marked `"unavailable": true`: the facts could not be had (sendUnavailable). */
function refusedForMissingFacts(bytes: Buffer): boolean {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { unavailable?: unknown }).unavailable === true;
  } catch {
    return false;
  }
}

function errorText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error.replace(/^depfence: /, '');
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
