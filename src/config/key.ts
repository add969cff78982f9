// The identity of an effective configuration, for "one firewall per configuration": two shims whose
// configurations say the same thing share a firewall; any difference (another project's allow
// list, mode, upstream) gets its own. Where the firewall listens and keeps its files is left out
// (a firewall started for a configuration runs with its own data dir and port), and so are the
// shims' own settings, which the firewall never reads.
import { createHash } from 'node:crypto';
import type { Config } from './schema.js';

export function configKey(config: Config): string {
  const { shims: _shims, server, ...policyAndUpstreams } = config;
  const { dataDir: _dataDir, port: _port, ...serverRest } = server;
  return createHash('sha256')
    .update(canonicalJson({ ...policyAndUpstreams, server: serverRest }))
    .digest('hex')
    .slice(0, 16);
}

/** JSON with every object's keys sorted, so equal configurations give equal text. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  // undefined (an array's hole) has no JSON text: JSON.stringify returns undefined, whatever its type says.
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}
