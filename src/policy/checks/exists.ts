// A name the registry does not know: installing it fails today, and anyone can register it
// tomorrow. AI assistants invent such names (slopsquatting), so `check` denies them.
import type { Finding, PackageFacts } from '../types.js';
import { missingFactFinding } from './fact-gaps.js';

export function checkExists(facts: PackageFacts): Finding[] {
  const exists = facts.exists;
  if (exists.state !== 'known') return exists.state === 'unavailable' ? [missingFactFinding('exists', exists, 'registry metadata')] : [];
  if (exists.value) return [];
  return [
    {
      check: 'exists',
      severity: 'deny',
      message: `there is no package named ${facts.name} on the registry; names that do not exist are often mistyped or invented by AI assistants, and anyone can register them`,
      evidence: { source: exists.source },
    },
  ];
}
