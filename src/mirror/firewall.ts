// The firewall a mirror run resolves through: started in this process on 127.0.0.1 (a free port)
// with the user's configuration (upstreams, policy) and a data dir of its own in the run's work
// folder, so it shares nothing with a `depfence serve` that may be running. Only the ecosystems
// the inputs need are mounted (the Hugging Face Hub for a models.lock). Every decision it makes is kept, so a denial can be explained.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Ecosystem } from '../names/index.js';
import { startServer, type RunningServer } from '../server/app.js';
import type { Mount, ServerContext } from '../server/context.js';
import type { AuditRecord } from '../server/audit.js';
import { npmMount } from '../server/npm/index.js';
import { hfMount } from '../server/hf/index.js';
import { hubSource } from '../server/hf/source.js';
import { pypiMount } from '../server/pypi/index.js';
import { lookupProject, upstreamPypiSource, type ProjectLookup, type PypiSource } from '../server/pypi/project-view.js';
import { ThreatData } from '../sources/osv/threat-data.js';

export interface MirrorFirewall {
  url: string;
  context: ServerContext;
  /** Every decision the firewall recorded, in order. */
  decisions: AuditRecord[];
  /** A PyPI project as the firewall's pages show it now (PyPI must be among the ecosystems). */
  pypiProject(name: string): Promise<ProjectLookup>;
  close(): Promise<void>;
}

export async function startMirrorFirewall(
  config: Config,
  workDir: string,
  ecosystems: ReadonlySet<Ecosystem>,
  models = false,
): Promise<MirrorFirewall> {
  // Private to this run: loopback, a free port, no access token (only this process talks to it).
  const server = {
    ...config.server,
    host: '127.0.0.1',
    port: 0,
    dataDir: join(workDir, 'firewall'),
    ...('token' in config.server ? { token: null } : {}),
  };
  const firewallConfig: Config = { ...config, offline: false, server };
  let pypi: PypiSource | null = null;
  const mounts = async (context: ServerContext): Promise<Mount[]> => {
    if (ecosystems.has('pypi')) pypi = upstreamPypiSource(context);
    return [
      ...(pypi ? [pypiMount(context, pypi)] : []),
      ...(models ? [hfMount(context, hubSource(context))] : []),
      ...(ecosystems.has('npm') ? [await npmMount(context)] : []),
    ];
  };
  // Its data dir is private, but it judges with the user's threat data (it changes nothing there).
  const threatData = ThreatData.forDataDir(config.server.dataDir);
  const running: RunningServer = await startServer({ config: firewallConfig, mounts, threatData, refreshThreatData: false });
  const decisions: AuditRecord[] = [];
  const { audit } = running.context;
  const record = audit.record.bind(audit);
  audit.record = (entry: AuditRecord) => {
    decisions.push(entry);
    record(entry);
  };
  return {
    url: running.url,
    context: running.context,
    decisions,
    async pypiProject(name) {
      if (!pypi) throw new Error(`the mirror's firewall has no PyPI index, so it cannot show ${name}`);
      return lookupProject(running.context, pypi, name);
    },
    async close() {
      running.server.closeAllConnections();
      await running.close();
    },
  };
}
