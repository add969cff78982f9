// The audit lines the PyPI side writes: one per decision. A project page records the
// package-level decision and, for each version with files hidden by the policy, that version's
// decision; a file request records the decision about that file's version.
import type { IncomingMessage } from 'node:http';
import { verdictOf, type Decision, type Finding } from '../../policy/index.js';
import type { ServerContext } from '../context.js';
import { recordRequestDecision } from '../record-decision.js';
import type { JudgedFile, ProjectLookup, ProjectView } from './project-view.js';

export type Subject = 'project page' | 'file' | 'metadata file';

export function recordDecision(context: ServerContext, req: IncomingMessage, decision: Decision, subject: Subject): void {
  recordRequestDecision(context, req, decision, subject);
}

/** The page's decisions: the project's, then one per version that has hidden files or warnings. */
export function recordPageDecisions(context: ServerContext, req: IncomingMessage, view: ProjectView): void {
  recordDecision(context, req, view.decision, 'project page');
  if (view.decision.decision === 'deny') return;
  const byVersion = new Map<string, { hidden: Finding[]; warnings: Finding[] }>();
  for (const judged of view.files) {
    if (judged.version === null || judged.problem !== null || judged.findings.length + judged.warnings.length === 0) continue;
    const entry = byVersion.get(judged.version) ?? { hidden: [], warnings: [] };
    entry.hidden.push(...judged.findings);
    entry.warnings.push(...judged.warnings);
    byVersion.set(judged.version, entry);
  }
  for (const [version, { hidden, warnings }] of byVersion) {
    const decision = hidden.length > 0 ? 'deny' : 'warn';
    recordDecision(
      context,
      req,
      { ecosystem: 'pypi', name: view.name, version, decision, findings: decision === 'deny' ? hidden : warnings },
      'project page',
    );
  }
}

/** A file's decision: the project's findings and the file's own. */
export function fileDecision(view: ProjectView, judged: JudgedFile): Decision {
  const findings = [...view.decision.findings, ...judged.findings];
  return { ecosystem: 'pypi', name: view.name, version: judged.version, decision: verdictOf(findings), findings };
}

/** The refusal when the project page could not be had: a deny for a missing fact, as the policy writes them. */
export function pageUnavailableDecision(name: string, failure: Extract<ProjectLookup, { kind: 'upstream-error' }>): Decision {
  const finding: Finding = {
    check: 'exists',
    severity: 'deny',
    message: failure.message,
    evidence: { unavailable: true, fact: 'project page', source: failure.upstream, status: failure.status },
  };
  return { ecosystem: 'pypi', name, version: null, decision: 'deny', findings: [finding] };
}
