// Bundles made by hand for the import tests: a valid manifest over random artifacts (written with
// the real bundle writer), and raw gzip tarballs with any entry a test wants (links, devices,
// `..` paths), built from node-tar's Header so nothing on disk has to be faked.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { writeBundle } from '../../src/mirror/bundle-write.js';
import { artifactPath, type BundleManifest, type ManifestArtifact, type PackageRecord } from '../../src/protocol/bundle/manifest.js';

export interface SyntheticPackage {
  ecosystem: 'pypi' | 'npm';
  name: string;
  version: string;
  bytes?: Buffer;
}

export interface Synthetic {
  manifest: BundleManifest;
  /** sha256 → bytes */
  blobs: Map<string, Buffer>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const allow = (ecosystem: 'pypi' | 'npm', name: string, version: string | null) => ({
  ecosystem,
  name,
  version,
  decision: 'allow' as const,
  findings: [],
});

export function synthetic(packages: SyntheticPackage[], createdAt = new Date('2026-01-01T00:00:00Z')): Synthetic {
  const blobs = new Map<string, Buffer>();
  const artifacts: ManifestArtifact[] = [];
  const records: PackageRecord[] = [];
  for (const pkg of packages) {
    const bytes = pkg.bytes ?? randomBytes(200);
    const hash = sha256(bytes);
    blobs.set(hash, bytes);
    const published = '2025-01-01T00:00:00.000Z';
    if (pkg.ecosystem === 'pypi') {
      artifacts.push({
        ecosystem: 'pypi',
        name: pkg.name,
        version: pkg.version,
        filename: `${pkg.name.replace(/-/g, '_')}-${pkg.version}-py3-none-any.whl`,
        sha256: hash,
        size: bytes.length,
        upstreamUrl: `https://files.example/${pkg.name}.whl`,
        requiresPython: null,
        uploadTime: published,
        yanked: false,
        coreMetadata: null,
        decision: allow('pypi', pkg.name, pkg.version),
      });
    } else {
      const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
      artifacts.push({
        ecosystem: 'npm',
        name: pkg.name,
        version: pkg.version,
        filename: `${pkg.name}-${pkg.version}.tgz`,
        sha256: hash,
        integrity,
        size: bytes.length,
        upstreamUrl: `https://registry.example/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`,
        published,
        manifest: { name: pkg.name, version: pkg.version, dist: { integrity } },
        decision: allow('npm', pkg.name, pkg.version),
      });
    }
    if (!records.some((record) => record.name === pkg.name && record.ecosystem === pkg.ecosystem)) {
      records.push({
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        origin: 'public',
        decision: allow(pkg.ecosystem, pkg.name, null),
        facts: {
          recordedAt: createdAt.toISOString(),
          source: 'fixture',
          created: '2024-01-01T00:00:00.000Z',
          versions: { [pkg.version]: published },
          downloads: { exactly: 50_000 },
          downloadsSource: 'fixture',
        },
      });
    }
  }
  const manifest: BundleManifest = {
    format: 'depfence-bundle',
    formatVersion: 1,
    createdAt: createdAt.toISOString(),
    depfenceVersion: 'test',
    policy: { digest: '0'.repeat(64), settings: {} },
    inputs: [],
    target: { pythonVersion: null, platforms: [] },
    packages: records,
    artifacts,
    skipped: [],
  };
  return { manifest, blobs };
}

/** The bundle as `depfence mirror` writes it. */
export async function writeSynthetic(dir: string, file: string, bundle: Synthetic): Promise<string> {
  const sources = new Map<string, string>();
  const blobDir = join(dir, `blobs-${randomBytes(4).toString('hex')}`);
  mkdirSync(blobDir, { recursive: true });
  for (const [hash, bytes] of bundle.blobs) {
    writeFileSync(join(blobDir, hash), bytes);
    sources.set(hash, join(blobDir, hash));
  }
  const out = join(dir, file);
  await writeBundle(out, bundle.manifest, sources);
  return out;
}

export interface RawEntry {
  path: string;
  type?: 'File' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'Directory' | 'FIFO';
  body?: Buffer;
  linkpath?: string;
  /** The size written in the header, if not the body's. */
  size?: number;
}

/** A gzip tar of exactly these entries, in this order. */
export function rawTarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body ?? Buffer.alloc(0);
    const header = new Header({
      path: entry.path,
      type: entry.type ?? 'File',
      size: entry.size ?? body.length,
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      ...(entry.linkpath && { linkpath: entry.linkpath }),
    });
    header.encode();
    blocks.push(header.block!);
    if (body.length > 0) {
      const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
      body.copy(padded);
      blocks.push(padded);
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** The entries of a valid bundle for `bundle`, manifest first, to tamper with. */
export function entriesOf(bundle: Synthetic): RawEntry[] {
  return [
    { path: 'manifest.json', body: Buffer.from(JSON.stringify(bundle.manifest)) },
    ...[...bundle.blobs].map(([hash, bytes]) => ({ path: artifactPath(hash), body: bytes })),
  ];
}
