// The audit log: one JSON line per decision in <dataDir>/audit.log, appended by every request
// that decides (both ecosystems), rotated by size (audit.log.1 is the newest old file), read back
// by `depfence log`.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Decision, DecisionEcosystem } from '../policy/index.js';

export interface AuditRecord extends Decision<DecisionEcosystem> {
  time: string;
  /** The client that asked (pip, uv, npm…, from its User-Agent), or the depfence command. */
  client: string;
  /** What was asked for: "project page", "file", "packument", "tarball", "check"… */
  subject: string;
  /** enforce or report: in report mode a deny was logged but not enforced. */
  mode: 'enforce' | 'report';
}

export interface Rotation {
  /** Rotate once the file passes this size. */
  maxBytes: number;
  /** How many rotated files to keep. */
  keep: number;
}

const DEFAULT_ROTATION: Rotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

export class AuditLog {
  private size: number;

  constructor(
    readonly file: string,
    private readonly rotation: Rotation = DEFAULT_ROTATION,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.size = sizeOf(file);
  }

  static inDataDir(dataDir: string, rotation?: Rotation): AuditLog {
    return new AuditLog(join(dataDir, 'audit.log'), rotation);
  }

  /**
   * One write() per record on a file opened for appending: the kernel keeps concurrent appends
   * from different requests (or processes) whole and in order. Requests record synchronously, so
   * a rotation never splits a record.
   */
  record(record: AuditRecord): void {
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    // The size is tracked here, and checked on disk before rotating in case another process appended too.
    if (this.size + bytes > this.rotation.maxBytes && sizeOf(this.file) + bytes > this.rotation.maxBytes) this.rotate();
    appendFileSync(this.file, line, { flag: 'a' });
    this.size += bytes;
  }

  /** Every record still on disk, oldest first (rotated files included). */
  read(): AuditRecord[] {
    return [...this.rotatedFiles().reverse(), this.file].flatMap(readRecords);
  }

  private rotatedFiles(): string[] {
    return Array.from({ length: this.rotation.keep }, (_, index) => `${this.file}.${index + 1}`).filter((file) => existsSync(file));
  }

  private rotate(): void {
    rmSync(`${this.file}.${this.rotation.keep}`, { force: true });
    for (let index = this.rotation.keep - 1; index >= 1; index--) {
      if (existsSync(`${this.file}.${index}`)) renameSync(`${this.file}.${index}`, `${this.file}.${index + 1}`);
    }
    if (existsSync(this.file)) renameSync(this.file, `${this.file}.1`);
    this.size = 0;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readRecords(file: string): AuditRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
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

/** "pip/23.2.1 {…}" → "pip"; "npm/11.1.0 node/v20…" → "npm"; "uv/0.5.0" → "uv". */
export function clientFromUserAgent(userAgent: string | undefined): string {
  const first = userAgent?.split(/[\s/]/, 1)[0]?.toLowerCase();
  return first && /^[a-z][a-z0-9._-]{0,30}$/.test(first) ? first : 'unknown';
}
