// A name the registry does not know: installing it fails today, and anyone can register it
// tomorrow. AI assistants invent such names (slopsquatting), so `check` denies them.
import type { Finding, PackageFacts } from '../types.js';
import type { PolicyContext } from '../context.js';
import { missingFactFinding } from './fact-gaps.js';

/** How many popular names a "did you mean" (or `check --suggest`) offers. */
const SUGGESTIONS = 5;

export function checkExists(facts: PackageFacts, ctx: PolicyContext): Finding[] {
  const exists = facts.exists;
  if (exists.state !== 'known') return exists.state === 'unavailable' ? [missingFactFinding('exists', exists, 'registry metadata')] : [];
  if (exists.value) return [];
  const suggestions = suggestNames(facts, ctx);
  const why = 'names that do not exist are often mistyped or invented by AI assistants, and anyone can register them';
  const question = suggestions.length === 0 ? why : `did you mean ${suggestions.join(' or ')}? ${why[0]!.toUpperCase()}${why.slice(1)}`;
  return [
    {
      check: 'exists',
      severity: 'deny',
      message: `there is no package named ${facts.name} on the registry; ${question}`,
      evidence: { source: exists.source, suggestions },
    },
  ];
}

/** The popular names closest to `facts.name`, closest first (the typosquat matcher's resemblances). */
export function suggestNames(facts: Pick<PackageFacts, 'ecosystem' | 'name'>, ctx: PolicyContext): string[] {
  return ctx.typosquat[facts.ecosystem]
    .matchAll(facts.name)
    .slice(0, SUGGESTIONS)
    .map((match) => match.target);
}
