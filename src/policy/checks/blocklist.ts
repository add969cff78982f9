// Known-malicious and slopsquat lists. A malicious whole-package entry denies the package (or
// warns, with policy.malicious: warn); a version-specific one does the same to that version (and,
// asked about the package as a whole, says which versions will be hidden). A slopsquat entry
// denies the name.
import type { Finding, PackageFacts } from '../types.js';
import type { BlocklistHit, PolicyContext } from '../context.js';

export function checkBlocklists(facts: PackageFacts, ctx: PolicyContext): Finding[] {
  const hits = ctx.blocklists.lookup(facts.ecosystem, facts.canonicalName, facts.version);
  return hits.map((hit) => findingFor(facts, hit, ctx.policy.malicious));
}

function findingFor(facts: PackageFacts, hit: BlocklistHit, malicious: 'deny' | 'warn'): Finding {
  const evidence = { list: hit.file, line: hit.line, source: hit.source, ...(hit.allVersions ? {} : { versions: hit.versions ?? [] }) };
  if (hit.kind === 'slopsquat') {
    return {
      check: 'slopsquat',
      severity: 'deny',
      message: `${facts.name} is a name AI assistants are known to invent (slopsquatting); attackers register such names`,
      evidence,
    };
  }
  if (hit.allVersions) {
    return { check: 'malicious', severity: malicious, message: `${facts.name} is a known-malicious package`, evidence };
  }
  const versions = (hit.versions ?? []).join(', ');
  if (facts.version !== null) {
    return {
      check: 'malicious',
      severity: malicious,
      message: `${facts.name} ${facts.version} is a known-malicious version (a compromised release)`,
      evidence,
    };
  }
  return {
    check: 'malicious',
    severity: 'info',
    message: `${facts.name} has known-malicious versions (${versions}); they are hidden`,
    evidence,
  };
}
