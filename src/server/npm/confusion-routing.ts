// Dependency-confusion routing for the registry process's Verdaccio: the names in
// policy.confusion.npm get `packages` rules that come before the catch-all ones and never name the
// public uplink. They are served from depfence's own storage (where `depfence user add` users may
// publish them), then from the internal registry if one is configured, and never from the public one. Verdaccio matches rules with minimatch,
// case-sensitively, so the patterns are written in lowercase and the gate only hands Verdaccio
// internal names that are lowercase themselves (see `routedInternally`).
import type { PolicyConfig } from '../../config/index.js';

export type NpmConfusionRules = PolicyConfig['confusion']['npm'];

/** The uplink names in the generated Verdaccio configuration. */
export const PUBLIC_UPLINK = 'public';
export const INTERNAL_UPLINK = 'internal';

export interface VerdaccioPackageRule {
  access: string;
  publish: string;
  unpublish: string;
  proxy?: string;
}

/** No user belongs to this group (htpasswd users are in `$authenticated` and their own name only). */
const NOBODY = '$depfence-nobody';
/** Users added with `depfence user add` may publish the reserved internal names, and only those. */
const PUBLISHERS = '$authenticated';

/** `@mycorp/*`, `mycorp-tool`, `mycorp-*`: the minimatch patterns of the reserved names. */
export function internalPatterns(rules: NpmConfusionRules): string[] {
  return [
    ...rules.scopes.map((scope) => `@${escapeGlob(scope.toLowerCase())}/*`),
    ...rules.names.map((name) => escapeGlob(name.toLowerCase())),
    ...rules.prefixes.map((prefix) => `${escapeGlob(prefix.toLowerCase())}*`),
  ];
}

/** Verdaccio's `packages:` section: reserved names first (first match wins), then everything else. */
export function packageRules(rules: NpmConfusionRules, hasInternal: boolean): Record<string, VerdaccioPackageRule> {
  const readOnly = { access: '$all', publish: NOBODY, unpublish: NOBODY };
  const publishable = { access: '$all', publish: PUBLISHERS, unpublish: PUBLISHERS };
  // Reserved names: depfence's own storage first, then the internal registry if there is one.
  const internal = hasInternal ? { ...publishable, proxy: INTERNAL_UPLINK } : publishable;
  const packages: Record<string, VerdaccioPackageRule> = {};
  for (const pattern of internalPatterns(rules)) packages[pattern] = internal;
  packages['@*/*'] = { ...readOnly, proxy: PUBLIC_UPLINK };
  packages['**'] = { ...readOnly, proxy: PUBLIC_UPLINK };
  return packages;
}

/**
 * Will the generated rules send this reserved name to the internal uplink? The reserved-name rule
 * compares lowercase; the patterns are lowercase; so a name that is not lowercase could slip past
 * them to the catch-all rule, and the gate refuses it instead.
 */
export function routedInternally(name: string): boolean {
  return name === name.toLowerCase();
}

function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]{}()!+@]/g, (char) => `\\${char}`);
}
