// The threat data a command decides with: the newest of the data dir's index (depfence update)
// and the indexes imported bundles carried (depfence mirror --with-feeds), so an air-gapped
// firewall uses whatever is most recent.
import type { Config } from '../config/index.js';
import { offlineThreatDataFiles } from '../mirror/threat-data.js';
import { ThreatData } from '../sources/osv/threat-data.js';

export function threatDataFor(config: Config): ThreatData {
  const { dataDir } = config.server;
  return ThreatData.forDataDir(dataDir, () => offlineThreatDataFiles(dataDir));
}
