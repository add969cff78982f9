// Dependency confusion: names in policy.confusion belong to the organisation. Such a package
// fetched from a public registry is an attack (or a leak in the making), so it is denied.
import type { PolicyConfig } from '../../config/schema.js';
import { parseNpmName } from '../../names/npm.js';
import { normalizePypiName } from '../../names/pypi.js';
import type { Ecosystem, Finding, PackageFacts } from '../types.js';
import type { PackageOrigin, PolicyContext } from '../context.js';

/** The rule in policy.confusion that reserves this (canonical) name, or null. */
export function internalNameRule(ecosystem: Ecosystem, canonicalName: string, confusion: PolicyConfig['confusion']): string | null {
  if (ecosystem === 'npm') {
    const rules = confusion.npm;
    const { scope } = parseNpmName(canonicalName);
    if (scope !== null && rules.scopes.includes(scope)) return `scope @${scope}`;
    return nameOrPrefixRule(
      canonicalName,
      rules.names.map((n) => n.toLowerCase()),
      rules.prefixes.map((p) => p.toLowerCase()),
    );
  }
  return nameOrPrefixRule(canonicalName, confusion.pypi.names.map(normalizePypiName), confusion.pypi.prefixes.map(normalizePypiName));
}

function nameOrPrefixRule(name: string, names: string[], prefixes: string[]): string | null {
  if (names.includes(name)) return `name ${name}`;
  const prefix = prefixes.find((p) => name.startsWith(p));
  return prefix === undefined ? null : `prefix ${prefix}`;
}

export function checkConfusion(facts: PackageFacts, ctx: PolicyContext, origin: PackageOrigin): Finding[] {
  if (origin === 'internal') return [];
  const rule = internalNameRule(facts.ecosystem, facts.canonicalName, ctx.policy.confusion);
  if (rule === null) return [];
  return [
    {
      check: 'confusion',
      severity: 'deny',
      message: `${facts.name} is reserved for internal packages (policy.confusion.${facts.ecosystem}: ${rule}); a public package with this name is a dependency-confusion attack`,
      evidence: { rule, key: `policy.confusion.${facts.ecosystem}` },
    },
  ];
}
