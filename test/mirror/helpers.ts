// Helpers for the mirror tests: a fingerprint of a whole directory tree (to prove a refused import
// changed nothing), a config file pointing depfence at the fixture upstreams, and an in-process
// offline server over a data dir.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/config/index.js';
import type { NpmUpstream, PypiUpstream } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';

/** sha256 over every path, its type, and its content (files) or target (links), in sorted order. */
export function treeFingerprint(root: string): string {
  const hash = createHash('sha256');
  if (!existsSync(root)) return 'absent';
  const walk = (relative: string) => {
    const path = join(root, relative);
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) hash.update(`L ${relative} -> ${readlinkSync(path)}\n`);
    else if (stats.isDirectory()) {
      hash.update(`D ${relative}\n`);
      for (const entry of readdirSync(path).sort()) walk(join(relative, entry));
    } else hash.update(`F ${relative} ${createHash('sha256').update(readFileSync(path)).digest('hex')}\n`);
  };
  walk('.');
  return hash.digest('hex');
}

/** A depfence.yaml aimed at the fixtures, with quick network settings. */
export function writeFixtureConfig(file: string, upstreams: { pypi?: PypiUpstream; npm?: NpmUpstream }, extra = ''): string {
  const lines = ['upstreams:'];
  if (upstreams.pypi)
    lines.push(
      `  pypi: { simple: "${upstreams.pypi.simpleUrl}", json: "${upstreams.pypi.jsonUrl}", downloads: "${upstreams.pypi.downloadsUrl}" }`,
    );
  if (upstreams.npm) lines.push(`  npm: { registry: "${upstreams.npm.registryUrl}", downloads: "${upstreams.npm.downloadsUrl}" }`);
  lines.push('network: { timeout: 5s, retries: 1 }', extra);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** `serve --offline` in this process, over an existing data dir (kept on close). */
export function startOfflineServer(dataDir: string, configure?: (config: Config) => void): Promise<TestFirewall> {
  return startFirewall({
    dataDir,
    configure: (config) => {
      config.offline = true;
      // Offline, nothing may be reached: point every upstream at a closed port to prove it.
      config.upstreams.pypi = {
        simple: 'http://127.0.0.1:9/simple/',
        json: 'http://127.0.0.1:9/pypi/',
        downloads: 'http://127.0.0.1:9/api/',
        internal: null,
      };
      config.upstreams.npm = {
        ...config.upstreams.npm,
        registry: 'http://127.0.0.1:9/',
        downloads: 'http://127.0.0.1:9/downloads/',
        internal: null,
      };
      config.upstreams.huggingface = { endpoint: 'http://127.0.0.1:9/', files: [] };
      configure?.(config);
    },
  });
}
