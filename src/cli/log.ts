// `depfence log [--since DURATION] [--decision deny|warn|allow] [--limit N] [--json]`: recent
// decisions from the audit log.
import type { Config } from '../config/index.js';
import { parseDuration } from '../config/index.js';
import { AuditLog, type AuditRecord } from '../server/audit.js';
import { packageLabel } from '../policy/decision-text.js';
import { UsageError } from './usage-error.js';

export interface LogOptions {
  since?: string;
  decision?: string;
  limit: number;
  json: boolean;
}

export function runLog(config: Config, options: LogOptions, now: Date, out: (text: string) => void): void {
  const since = options.since === undefined ? null : parseDuration(options.since);
  if (options.since !== undefined && since === null)
    throw new UsageError(`--since "${options.since}" is not a duration: use a number and s, m, h, d or w (e.g. 1h)`);
  if (options.decision !== undefined && !['allow', 'warn', 'deny'].includes(options.decision)) {
    throw new UsageError(`--decision "${options.decision}" is not one of allow, warn, deny`);
  }
  const records = AuditLog.inDataDir(config.server.dataDir, config.server.audit)
    .read()
    .filter((record) => since === null || now.getTime() - Date.parse(record.time) <= since)
    .filter((record) => options.decision === undefined || record.decision === options.decision)
    .slice(-options.limit);
  for (const record of records) out(options.json ? JSON.stringify(record) : formatRecord(record));
}

function formatRecord(record: AuditRecord): string {
  const reasons = record.findings.filter((finding) => finding.severity !== 'info').map((finding) => `${finding.check}: ${finding.message}`);
  const mode = record.mode === 'report' && record.decision === 'deny' ? ' (report mode: not enforced)' : '';
  return `${record.time}  ${record.decision.padEnd(5)}  ${packageLabel(record)}  [${record.client} ${record.subject}]${mode}${reasons.length ? `\n    ${reasons.join('\n    ')}` : ''}`;
}
