// The PyPI half of a mirror: the files `pip download` fetched through the firewall, each matched
// to the firewall's own view of its project (upstream URL, sha256, upload time, requires-python,
// core metadata, the policy's findings), its bytes checked against the index's sha256, and its
// PEP 658 metadata file fetched through the firewall too, so the offline page can offer it.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import { normalizePypiName } from '../names/index.js';
import { deniedOnlyForMissingFacts, verdictOf, type Decision } from '../policy/index.js';
import { identifyFile } from '../protocol/pypi/filenames.js';
import type { Collection } from './collect.js';
import { emptyCollection } from './collect.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import type { MirrorFirewall } from './firewall.js';
import { fileSha256 } from './hashing.js';
import type { PypiArtifact } from '../protocol/bundle/manifest.js';
import type { Progress } from './progress.js';
import { denialReasons, recordFacts, vetPackage } from './vetting.js';

export interface PypiCollectOptions {
  firewall: MirrorFirewall;
  config: Config;
  /** Where pip put the files. */
  downloadDir: string;
  workDir: string;
  now: Date;
  progress: Progress;
}

export async function collectPypi(options: PypiCollectOptions): Promise<Collection> {
  const { firewall, config, now, progress } = options;
  const collection = emptyCollection();
  const filenames = (await readdir(options.downloadDir)).filter((file) => !file.startsWith('.')).sort();
  const byProject = new Map<string, string[]>();
  for (const filename of filenames) {
    const project = normalizePypiName(filename.split('-', 1)[0] ?? filename);
    byProject.set(project, [...(byProject.get(project) ?? []), filename]);
  }
  const metadataDir = join(options.workDir, 'pypi-metadata');
  await mkdir(metadataDir, { recursive: true });
  progress.start(filenames.length, 'collecting PyPI files');
  for (const [name, files] of byProject) {
    const vetted = await vetPackage(firewall.context.decider, config, 'pypi', name, now);
    const lookup = await firewall.pypiProject(name);
    if (lookup.kind !== 'view') {
      throw new MirrorError(
        'ERESOLVE',
        `pip downloaded ${files.join(', ')}, but the firewall cannot show the project ${name} now (${lookup.kind}${'message' in lookup ? `: ${lookup.message}` : ''})`,
      );
    }
    const { view } = lookup;
    const versionTimes: Record<string, Date | null> = {};
    for (const filename of files) {
      const judged = view.files.find((candidate) => candidate.file.filename === filename);
      const identity = identifyFile(name, filename);
      if (!judged || typeof identity === 'string' || judged.problem !== null) {
        throw new MirrorError(
          'ERESOLVE',
          `pip downloaded ${filename}, which the firewall's page for ${name} does not offer${judged?.problem ? ` (${judged.problem})` : ''}`,
        );
      }
      const path = join(options.downloadDir, filename);
      const sha256 = await fileSha256(path);
      if (sha256 !== judged.file.hashes.sha256) {
        throw new MirrorError(
          'ERESOLVE',
          `${filename} as downloaded has sha256 ${sha256}, but the index lists ${judged.file.hashes.sha256}; it is not mirrored`,
        );
      }
      const findings = [...vetted.decision.findings, ...judged.findings];
      const decision: Decision = { ecosystem: 'pypi', name, version: identity.version, decision: verdictOf(findings), findings };
      if (decision.decision === 'deny' && config.mode === 'enforce') {
        collection.denials.push({
          ecosystem: 'pypi',
          name,
          version: identity.version,
          reasons: denialReasons(decision),
          factsUnavailable: deniedOnlyForMissingFacts(decision),
        });
        progress.tick(`${filename} (denied)`);
        continue;
      }
      if (judged.file.uploadTime === null)
        throw new MirrorError('ERESOLVE', `${filename} has no upload time on the index, so it cannot be vetted`);
      const coreMetadata = await fetchCoreMetadata(firewall.url, name, filename, judged.file.coreMetadata, metadataDir);
      if (coreMetadata) collection.files.set(coreMetadata.sha256, coreMetadata.path);
      collection.files.set(sha256, path);
      const artifact: PypiArtifact = {
        ecosystem: 'pypi',
        name,
        version: identity.version,
        filename,
        sha256,
        size: (await stat(path)).size,
        upstreamUrl: judged.file.url,
        requiresPython: judged.file.requiresPython,
        uploadTime: judged.file.uploadTime.toISOString(),
        yanked: judged.file.yanked,
        coreMetadata: coreMetadata ? { sha256: coreMetadata.sha256, size: coreMetadata.size } : null,
        decision,
      };
      collection.artifacts.push(artifact);
      const earliest = versionTimes[identity.version];
      if (!earliest || judged.file.uploadTime < earliest) versionTimes[identity.version] = judged.file.uploadTime;
      progress.tick(filename);
    }
    if (vetted.decision.decision === 'deny' && config.mode === 'enforce') {
      collection.denials.push({
        ecosystem: 'pypi',
        name,
        version: null,
        reasons: denialReasons(vetted.decision),
        factsUnavailable: deniedOnlyForMissingFacts(vetted.decision),
      });
      continue;
    }
    collection.packages.push({
      ecosystem: 'pypi',
      name,
      origin: vetted.origin,
      decision: vetted.decision,
      facts: recordFacts(vetted, versionTimes),
    });
  }
  progress.stop();
  return collection;
}

/** The `.metadata` file through the firewall, verified against the sha256 the page gives; null when the page offers none. */
async function fetchCoreMetadata(
  firewallUrl: string,
  name: string,
  filename: string,
  offered: boolean | Readonly<Record<string, string>>,
  dir: string,
): Promise<{ sha256: string; size: number; path: string } | null> {
  const expected = typeof offered === 'object' ? offered.sha256 : undefined;
  if (!expected || !/^[0-9a-f]{64}$/.test(expected)) return null;
  const url = `${firewallUrl}/-/pypi/files/${encodeURIComponent(name)}/${encodeURIComponent(filename)}.metadata`;
  const answer = await fetch(url, { headers: { 'user-agent': 'depfence-mirror' } });
  const bytes = Buffer.from(await answer.arrayBuffer());
  if (answer.status !== 200)
    throw new MirrorError(
      'ERESOLVE',
      `the firewall answered HTTP ${answer.status} for the core metadata of ${filename}: ${bytes.toString('utf8').slice(0, 300)}`,
    );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== expected)
    throw new MirrorError('ERESOLVE', `the core metadata of ${filename} has sha256 ${sha256}, but the index lists ${expected}`);
  const path = join(dir, sha256);
  await writeFile(path, bytes);
  return { sha256, size: bytes.length, path };
}
