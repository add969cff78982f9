// The audit lines the npm side writes, in the same log and shape as the PyPI side's: the
// package-level decision of every packument and version request, refused tarballs, and each
// version the filter hides or warns about (once per process per version and reason, not on every read).
import type { IncomingMessage } from 'node:http';
import type { Decision } from '../../policy/index.js';
import type { ServerContext } from '../context.js';
import { recordRequestDecision } from '../record-decision.js';
import type { PackageRecord } from './filter/verdict-book.js';

export type NpmSubject = 'packument' | 'version manifest' | 'tarball' | 'publish';

export function recordDecision(context: ServerContext, req: IncomingMessage, decision: Decision, subject: NpmSubject): void {
  recordRequestDecision(context, req, decision, subject);
}

/** Logs each hidden (or warned-about) version of a package once (per process, per set of reasons). */
export class HiddenVersionLog {
  readonly #logged = new Set<string>();

  constructor(readonly capacity = 50_000) {}

  record(context: ServerContext, req: IncomingMessage, record: PackageRecord, subject: NpmSubject): void {
    for (const version of record.versions.values()) {
      const decision = version.hiddenBy.length > 0 ? 'deny' : version.warnings.length > 0 ? 'warn' : null;
      if (decision === null) continue;
      const findings = decision === 'deny' ? version.hiddenBy : version.warnings;
      const key = `${record.name}@${version.version} ${findings.map((finding) => finding.message).join('|')}`;
      if (this.#logged.has(key)) continue;
      if (this.#logged.size >= this.capacity) this.#logged.clear();
      this.#logged.add(key);
      recordDecision(context, req, { ecosystem: 'npm', name: record.name, version: version.version, decision, findings }, subject);
    }
  }
}
