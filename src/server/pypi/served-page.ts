// The page a client gets: the visible files with their URLs pointing back at the firewall, only
// the hash the firewall verifies (sha256), core metadata offered only when its hash is known (so
// the `.metadata` file can be verified too), and a `versions` list made of exactly the versions
// that still have files.
import * as pep440 from '@renovatebot/pep440';
import type { DistFile, ProjectPage } from '../../protocol/pypi/model.js';
import { fileHref } from './paths.js';
import type { JudgedFile } from './project-view.js';

export function servedPage(name: string, files: readonly JudgedFile[]): ProjectPage {
  return {
    name,
    versions: versionsOf(files),
    files: files.map(({ file }) => servedFile(name, file)),
  };
}

function servedFile(project: string, file: DistFile): DistFile {
  const metadataHash = typeof file.coreMetadata === 'object' ? file.coreMetadata.sha256 : undefined;
  return {
    ...file,
    url: fileHref(project, file.filename),
    hashes: { sha256: file.hashes.sha256! },
    coreMetadata: metadataHash && /^[0-9a-f]{64}$/.test(metadataHash) ? { sha256: metadataHash } : false,
  };
}

/** Distinct versions (PEP 440 equal spellings merged), oldest first. */
function versionsOf(files: readonly JudgedFile[]): string[] {
  const byKey = new Map<string, string>();
  for (const { version } of files) {
    if (version === null) continue;
    const key = pep440.clean(version) ?? version;
    if (!byKey.has(key)) byKey.set(key, version);
  }
  return [...byKey.values()].sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  if (pep440.valid(a) && pep440.valid(b)) return pep440.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}
