// npm package names: scope split, lowercase comparison form, validity of existing names.
import validateNpmPackageName from 'validate-npm-package-name';
import { sharedNameProblem } from './limits.js';

export interface NpmName {
  /** The scope without its '@', or null for an unscoped name. */
  scope: string | null;
  /** The name without its scope. */
  bare: string;
}

/** `@scope/name` splits at its first '/'; a name without '@' first, or without a '/', has no scope. */
export function parseNpmName(name: string): NpmName {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return {
    scope: slash === -1 ? null : name.slice(1, slash),
    bare: slash === -1 ? name : name.slice(slash + 1),
  };
}

/**
 * npm compares names lowercase, but the registry stores them as published: legacy mixed-case names
 * (`JSONStream`) are distinct packages from their lowercase spelling. Compare with this form; keep
 * the original for display and for the case rule of the typosquat matcher.
 */
export function canonicalNpmName(name: string): string {
  return name.toLowerCase();
}

function partProblem(part: string, what: string): string | null {
  if (part.length === 0) return `The ${what} is empty.`;
  if (part.startsWith('.') || part.startsWith('_')) return `The ${what} starts with '${part[0]}'.`;
  if (part.includes('/')) return `The ${what} contains '/', a path separator.`;
  if (encodeURIComponent(part) !== part) return `The ${what} contains characters that are not URL-safe.`;
  return null;
}

/**
 * Null when `name` is a valid name for an existing npm package (legacy mixed-case and special-character
 * names included), otherwise a one-sentence reason.
 */
export function validateNpmName(name: string): string | null {
  const shared = sharedNameProblem(name);
  if (shared) return shared;
  const { scope, bare } = parseNpmName(name);
  if (scope === null && name.startsWith('@')) return "A scoped name must look like '@scope/name'.";
  const problem = (scope === null ? null : partProblem(scope, 'scope')) ?? partProblem(bare, 'package name');
  if (problem) return problem;
  const error = validateNpmPackageName(name).errors?.[0];
  if (error) return `The package ${error}.`;
  return null;
}
