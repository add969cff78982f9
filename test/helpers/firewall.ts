// Starts depfence's server in-process for a test: port 0, a temporary data dir, and the PyPI
// upstreams pointed at a fixture. The configuration is the bundled default with the changes a
// test asks for, so each test states what it depends on.
//
//   const pypi = await PypiUpstream.start();
//   const firewall = await startFirewall({ pypi, configure: (c) => { c.policy.minVersionAge = HOUR; } });
//   await fetch(`${firewall.url}/-/pypi/simple/requests/`);
//   await firewall.close();   // also removes the data dir
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/server/app.js';
import type { ServerContext } from '../../src/server/context.js';
import { ecosystemMounts } from '../../src/server/mounts.js';
import { pypiMount } from '../../src/server/pypi/index.js';
import { upstreamPypiSource } from '../../src/server/pypi/project-view.js';
import { hfMount } from '../../src/server/hf/index.js';
import { hubSource } from '../../src/server/hf/source.js';
import { offlineHfSource } from '../../src/server/offline/hf.js';
import type { AuditRecord } from '../../src/server/audit.js';
import type { HfUpstream, PypiUpstream } from '../fixtures/index.js';
import { defaultConfig } from './policy.js';

export interface FirewallOptions {
  pypi?: PypiUpstream;
  /** A fixture Hub: upstreams.huggingface points at it and its CDN. */
  hub?: HfUpstream;
  configure?: (config: Config) => void;
  now?: () => Date;
  /** Reuse a data dir (it is then not removed on close). */
  dataDir?: string;
  /** 'all' (default): what `depfence serve` mounts; 'pypi' or 'hf': only that mount, so its tests do not start the npm side. */
  mounts?: 'pypi' | 'hf' | 'all';
}

export interface TestFirewall {
  url: string;
  /** `${url}/-/pypi/simple/` */
  simpleUrl: string;
  config: Config;
  dataDir: string;
  running: RunningServer;
  audit(): AuditRecord[];
  close(): Promise<void>;
}

/** A configuration for tests: fixture upstreams, a temp data dir, quick timeouts and retries. */
export function testConfig(options: {
  pypi?: PypiUpstream;
  hub?: HfUpstream;
  dataDir: string;
  configure?: (config: Config) => void;
}): Config {
  const config = defaultConfig();
  if (options.hub) config.upstreams.huggingface = { endpoint: options.hub.url, files: [options.hub.cdn.url] };
  if (options.pypi) {
    config.upstreams.pypi = {
      simple: options.pypi.simpleUrl,
      json: options.pypi.jsonUrl,
      downloads: options.pypi.downloadsUrl,
      internal: null,
    };
  }
  config.server = { ...config.server, host: '127.0.0.1', port: 0, dataDir: options.dataDir };
  config.network = { ...config.network, timeout: 3_000, retries: 1 };
  options.configure?.(config);
  return config;
}

export async function startFirewall(options: FirewallOptions = {}): Promise<TestFirewall> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'depfence-data-'));
  const config = testConfig({
    dataDir,
    ...(options.pypi && { pypi: options.pypi }),
    ...(options.hub && { hub: options.hub }),
    ...(options.configure && { configure: options.configure }),
  });
  const hf = (context: ServerContext) => [hfMount(context, context.config.offline ? offlineHfSource(context) : hubSource(context))];
  const mounts =
    options.mounts === 'pypi'
      ? (context: ServerContext) => [pypiMount(context, upstreamPypiSource(context))]
      : options.mounts === 'hf'
        ? hf
        : ecosystemMounts;
  const running = await startServer({ config, mounts, ...(options.now && { now: options.now }) });
  return {
    url: running.url,
    simpleUrl: `${running.url}/-/pypi/simple/`,
    config,
    dataDir,
    running,
    audit: () => running.context.audit.read(),
    async close() {
      running.server.closeAllConnections();
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
