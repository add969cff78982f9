// What both tarball routes (public/ and internal/) ask of the verdict book before any byte goes out:
// a package whose filter failed is refused (enforce mode), and a hidden version is refused with the
// reason (a tarball on a host depfence does not fetch from in report mode too). Every refusal and
// every tarball refused for its bytes is written to the audit log.
import type { IncomingMessage } from 'node:http';
import type { Decision } from '../../policy/index.js';
import { versionFromFilename } from '../../protocol/npm/paths.js';
import { recordDecision } from './audit.js';
import type { NpmEnv } from './env.js';
import type { PackageRecord, VersionRecord } from './filter/verdict-book.js';
import { hiddenVersionMessage } from './messages.js';

export type TarballGuard =
  /** The version the file belongs to, if the book knows it. */
  | { refused: false; version: VersionRecord | undefined }
  /** `unavailable`: the filter failed (sendUnavailable); otherwise 403. */
  | { refused: true; unavailable: boolean; message: string };

export function guardTarball(
  env: NpmEnv,
  req: IncomingMessage,
  name: string,
  filename: string,
  record: PackageRecord | undefined,
): TarballGuard {
  const { context } = env;
  const enforce = context.config.mode === 'enforce';
  if (record?.failure) {
    recordDecision(context, req, tarballDecision(name, versionFromFilename(name, filename), 'filter', record.failure), 'tarball');
    if (enforce) return { refused: true, unavailable: true, message: `${name}: ${record.failure}` };
  }
  const version = env.book.versionByFile(name, filename) ?? record?.versions.get(versionFromFilename(name, filename) ?? '');
  if (version && version.hiddenBy.length > 0) {
    recordDecision(
      context,
      req,
      { ecosystem: 'npm', name, version: version.version, decision: 'deny', findings: version.hiddenBy },
      'tarball',
    );
    if (enforce || version.hiddenBy.some((finding) => finding.check === 'source'))
      return {
        refused: true,
        unavailable: false,
        message: hiddenVersionMessage(name, version.version, version.hiddenBy, context.config.mode),
      };
  }
  return { refused: false, version };
}

/** A tarball whose bytes did not match its packument, as an audit record. */
export function recordMismatchedTarball(env: NpmEnv, req: IncomingMessage, name: string, version: string | null, reason: string): void {
  recordDecision(env.context, req, tarballDecision(name, version, 'integrity', reason), 'tarball');
}

/** A tarball refused for its bytes or a failed filter, as an audit record. */
function tarballDecision(name: string, version: string | null, check: 'integrity' | 'filter', message: string): Decision {
  return {
    ecosystem: 'npm',
    name,
    version,
    decision: 'deny',
    findings: [{ check, severity: 'deny', message, evidence: { subject: 'tarball' } }],
  };
}
