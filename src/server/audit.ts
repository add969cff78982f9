// The audit log: one JSON line per decision in <dataDir>/audit.log, appended by every request
// that decides (both ecosystems), read back by `depfence log`.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Decision } from '../policy/index.js';

export interface AuditRecord extends Decision {
  time: string;
  /** The client that asked (pip, uv, npm…, from its User-Agent), or the depfence command. */
  client: string;
  /** What was asked for: "project page", "file", "packument", "tarball", "check"… */
  subject: string;
  /** enforce or report: in report mode a deny was logged but not enforced. */
  mode: 'enforce' | 'report';
}

export class AuditLog {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  static inDataDir(dataDir: string): AuditLog {
    return new AuditLog(join(dataDir, 'audit.log'));
  }

  /**
   * One write() per record on a file opened for appending: the kernel keeps concurrent appends
   * from different requests (or processes) whole and in order.
   */
  record(record: AuditRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`, { flag: 'a' });
  }

  read(): AuditRecord[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as AuditRecord];
        } catch {
          return [];
        }
      });
  }
}

/** "pip/23.2.1 {…}" → "pip"; "npm/11.1.0 node/v20…" → "npm"; "uv/0.5.0" → "uv". */
export function clientFromUserAgent(userAgent: string | undefined): string {
  const first = userAgent?.split(/[\s/]/, 1)[0]?.toLowerCase();
  return first && /^[a-z][a-z0-9._-]{0,30}$/.test(first) ? first : 'unknown';
}
