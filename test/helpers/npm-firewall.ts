// The firewall for npm tests: the shared test firewall (temp data dir, port 0) with the npm
// upstreams pointed at fixtures, and a few helpers for what npm tests look at.
//
//   const npm = await NpmUpstream.start();
//   const firewall = await startNpmFirewall({ npm });
//   await fetch(`${firewall.url}/left-pad`);
import { request } from 'node:http';
import { join } from 'node:path';
import cacache from 'cacache';
import type { Config } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import { npmMount, type NpmMount, type NpmMountOptions } from '../../src/server/npm/index.js';
import type { NpmUpstream } from '../fixtures/index.js';
import { startFirewall, type TestFirewall } from './firewall.js';

export interface NpmFirewallOptions {
  npm: NpmUpstream;
  /** A second fixture standing in for the organisation's internal registry. */
  internal?: NpmUpstream;
  configure?: (config: Config) => void;
  now?: () => Date;
  dataDir?: string;
}

export function startNpmFirewall(options: NpmFirewallOptions): Promise<TestFirewall> {
  return startFirewall({
    ...(options.now && { now: options.now }),
    ...(options.dataDir && { dataDir: options.dataDir }),
    configure: (config) => {
      config.upstreams.npm = {
        ...config.upstreams.npm,
        registry: options.npm.registryUrl,
        downloads: options.npm.downloadsUrl,
        internal: options.internal?.registryUrl ?? null,
      };
      options.configure?.(config);
    },
  });
}

/** depfence's server with the npm mount alone, handed to the test to look inside. */
export async function startNpmMount(
  config: Config,
  options: NpmMountOptions & { refreshThreatData?: boolean } = {},
): Promise<{ running: RunningServer; mount: NpmMount }> {
  const { refreshThreatData, ...mountOptions } = options;
  let mount: NpmMount | undefined;
  const running = await startServer({
    config,
    ...(refreshThreatData !== undefined && { refreshThreatData }),
    mounts: async (context) => {
      mount = await npmMount(context, mountOptions);
      return [mount];
    },
  });
  return { running, mount: mount! };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: Record<string, unknown> | undefined;
}

/**
 * A request with the path sent exactly as written (fetch would normalise `..` and encodings away).
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

/** Where a firewall keeps public packages' verified tarballs. */
export function npmTarballStore(dataDir: string): string {
  return join(dataDir, 'cache', 'npm-tarballs');
}

/** The URL paths (`/name/-/file.tgz`) of the tarballs in a firewall's tarball store. */
export async function storedTarballs(dataDir: string): Promise<string[]> {
  const entries = await cacache.ls(npmTarballStore(dataDir));
  return Object.values(entries).map((entry) => new URL((entry.metadata as { url: string }).url).pathname);
}
