// The checks on one file of a repo, from what inspecting its bytes found (protocol/models): code
// in a pickle, a pickle the policy denies, a file whose format is broken.
import type { Finding } from '../types.js';

/** What inspecting a file's bytes found (protocol/models/inspect.ts fills it in). */
export interface FileInspection {
  format: string;
  /** null: nothing wrong; otherwise why the file is refused. */
  problem: string | null;
  /** Set when a pickle was scanned. */
  pickle?: unknown;
}

export function checkFileContent(path: string, inspection: FileInspection): Finding[] {
  const pickled = inspection.format === 'pickle' || inspection.format === 'torch-zip' || inspection.format === 'numpy';
  const evidence = { path, format: inspection.format, pickle: inspection.pickle ?? null };
  if (inspection.problem !== null) {
    return [{ check: pickled ? 'pickle' : 'format', severity: 'deny', message: `${path} is refused: ${inspection.problem}`, evidence }];
  }
  if (pickled && !inspection.pickle) {
    return [
      {
        check: 'pickle',
        severity: 'info',
        message: `${path} is pickle-based, served unscanned because policy.models.pickle is allow`,
        evidence,
      },
    ];
  }
  return [];
}
