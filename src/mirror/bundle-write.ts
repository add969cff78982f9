// Writing a bundle with node-tar: manifest.json first (the reader checks every later entry against
// it before reading it), then each artifact at `artifacts/<sha256>`. Portable headers (no owner,
// one mtime: the manifest's creation time), written to a temporary file beside the target and
// renamed into place, so a bundle on disk is always whole.
import { copyFile, link, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { create } from 'tar';
import { artifactPath, archiveFiles, MANIFEST_FILE, type BundleManifest } from '../protocol/bundle/manifest.js';
import { fileSha256 } from './hashing.js';

export interface WrittenBundle {
  path: string;
  sha256: string;
  size: number;
}

/** `sources`: sha256 → a file holding those bytes (already verified by the caller). */
export async function writeBundle(out: string, manifest: BundleManifest, sources: ReadonlyMap<string, string>): Promise<WrittenBundle> {
  const dir = dirname(out);
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(join(dir, `.${basename(out)}.staging-`));
  const temporary = `${out}.${process.pid}.partial`;
  try {
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(join(staging, 'artifacts'));
    const paths: string[] = [];
    for (const file of [...archiveFiles(manifest).values()].sort((a, b) => a.path.localeCompare(b.path))) {
      const source = sources.get(file.sha256);
      if (!source) throw new Error(`internal error: no bytes collected for the artifact ${file.sha256}`);
      const target = join(staging, artifactPath(file.sha256));
      await link(source, target).catch(() => copyFile(source, target));
      paths.push(artifactPath(file.sha256));
    }
    await create(
      { gzip: { level: 6 }, file: temporary, cwd: staging, portable: true, mtime: new Date(manifest.createdAt), noDirRecurse: true },
      [MANIFEST_FILE, ...paths],
    );
    await rename(temporary, out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { path: out, sha256: await fileSha256(out), size: (await stat(out)).size };
}
