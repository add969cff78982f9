// Age gates: a package first published less than minPackageAge ago is denied; a version younger
// than minVersionAge (or with no publish time) is hidden. Time is an argument, never read here.
import { formatAge, formatDuration } from '../../config/duration.js';
import type { Ecosystem, Finding, PackageFacts } from '../types.js';
import type { PolicyContext } from '../context.js';
import { missingFactFinding } from './fact-gaps.js';
import { establishedByScope } from './established.js';

export function checkAge(facts: PackageFacts, ctx: PolicyContext, now: Date): Finding[] {
  const times = facts.publishTimes;
  if (times.state !== 'known') return [missingFactFinding('age', times, 'publish times')];
  const findings: Finding[] = [];
  const { minPackageAge } = ctx.policy;
  if (times.value.created === null) {
    findings.push({
      check: 'age',
      severity: 'deny',
      message: `${facts.name} has no first-publish time in its registry metadata, so its age cannot be checked`,
      evidence: { minPackageAge: formatDuration(minPackageAge), source: times.source },
    });
  } else if (now.getTime() - times.value.created.getTime() < minPackageAge) {
    const young = `${facts.name} was first published ${ago(times.value.created, now)}; new packages are refused until they are ${formatDuration(minPackageAge)} old`;
    const evidence = {
      created: times.value.created.toISOString(),
      age: formatDuration(age(times.value.created, now)),
      minPackageAge: formatDuration(minPackageAge),
      source: times.source,
    };
    // A project's new platform binary: its scope and its publisher vouch for it.
    const scope = establishedByScope(facts, ctx, now);
    findings.push(
      scope.established
        ? {
            check: 'age',
            severity: 'warn',
            message: `${young}, but it is ${scope.how} (${scope.decidedBy.join('; ')})`,
            evidence: { ...evidence, decidedBy: scope.decidedBy },
          }
        : { check: 'age', severity: 'deny', message: young, evidence },
    );
  }
  const unreadable = facts.version === null ? undefined : times.value.unreadable?.get(facts.version);
  if (facts.version !== null && unreadable !== undefined) {
    findings.push({
      check: 'metadata',
      severity: 'deny',
      message: `${facts.name} ${facts.version} cannot be checked because the registry's metadata for it cannot be read: ${unreadable}`,
      evidence: { version: facts.version, unreadable, source: times.source },
    });
  } else if (facts.version !== null) {
    const finding = versionAgeFinding(
      facts.ecosystem,
      facts.name,
      facts.version,
      times.value.versions.get(facts.version) ?? null,
      ctx,
      now,
    );
    if (finding) findings.push(finding);
  }
  return findings;
}

/** The finding that hides one version (or one PyPI file, given the file's upload time), if any. */
export function versionAgeFinding(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  published: Date | null,
  ctx: PolicyContext,
  now: Date,
): Finding | null {
  const { minVersionAge } = ctx.policy;
  const label = `${name}${ecosystem === 'npm' ? '@' : '=='}${version}`;
  if (published === null) {
    return {
      check: 'age',
      severity: 'deny',
      message: `${label} has no publish time, so its age cannot be checked`,
      evidence: { version, minVersionAge: formatDuration(minVersionAge) },
    };
  }
  if (now.getTime() - published.getTime() >= minVersionAge) return null;
  const allowedFrom = new Date(published.getTime() + minVersionAge);
  return {
    check: 'age',
    severity: 'deny',
    message: `${label} was published ${ago(published, now)}; versions are held back until they are ${formatDuration(minVersionAge)} old, so ${version} is allowed from ${formatWhen(allowedFrom)}`,
    evidence: {
      version,
      published: published.toISOString(),
      age: formatDuration(age(published, now)),
      minVersionAge: formatDuration(minVersionAge),
      allowedFrom: allowedFrom.toISOString(),
    },
  };
}

/** `2026-11-28 14:00 UTC`: when a held-back version is let through. */
export function formatWhen(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function age(since: Date, now: Date): number {
  return Math.max(0, now.getTime() - since.getTime());
}

function ago(since: Date, now: Date): string {
  const ms = age(since, now);
  return ms < 60_000 ? 'just now' : `${formatAge(ms)} ago`;
}
