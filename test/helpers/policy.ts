// Builders for policy tests: facts with every fact known, and a context whose matcher and
// blocklists are small in-memory stand-ins, so each test states exactly what it depends on.
import { loadConfig, splitAllowList, type Config } from '../../src/config/index.js';
import { canonicalName } from '../../src/names/index.js';
import type {
  BlocklistHit,
  Blocklists,
  Ecosystem,
  PackageFacts,
  PolicyContext,
  TyposquatMatch,
  TyposquatMatcher,
} from '../../src/policy/index.js';

export const NOW = new Date('2026-11-25T12:00:00Z');
export const DAY = 86_400_000;

export function daysAgo(days: number): Date {
  return new Date(NOW.getTime() - days * DAY);
}

let defaults: Config | undefined;
/** The bundled defaults, except that no test downloads the real threat-data feeds. */
export function defaultConfig(): Config {
  defaults ??= loadConfig({ env: { HOME: '/nonexistent-home' }, cwd: '/' }).config;
  const config = structuredClone(defaults);
  config.feeds.osv.autoUpdate = false;
  return config;
}

export function matcherOf(matches: Record<string, TyposquatMatch | TyposquatMatch[]>, popular: string[] = []): TyposquatMatcher {
  const all = (name: string): TyposquatMatch[] => [matches[name] ?? []].flat();
  return {
    match: (name) => all(name)[0] ?? null,
    matchAll: all,
    isPopular: (name) => popular.includes(name),
  };
}

export function blocklistsOf(hits: { ecosystem: Ecosystem; name: string; versions?: string[]; kind?: BlocklistHit['kind'] }[]): Blocklists {
  return {
    lookup(ecosystem, name, version) {
      return hits
        .filter((hit) => hit.ecosystem === ecosystem && hit.name === name)
        .filter((hit) => hit.versions === undefined || version === null || hit.versions.includes(version))
        .map((hit) => ({
          kind: hit.kind ?? 'malicious',
          allVersions: hit.versions === undefined,
          ...(hit.versions ? { versions: hit.versions } : {}),
          file: `blocklists/${ecosystem}-${hit.kind ?? 'malicious'}.txt`,
          line: 7,
          source: 'test list',
        }));
    },
  };
}

export function contextWith(overrides: Partial<PolicyContext> & { config?: Config } = {}): PolicyContext {
  const config = overrides.config ?? defaultConfig();
  return {
    policy: config.policy,
    allow: splitAllowList(config.allow).packages,
    acceptedAdvisories: splitAllowList(config.allow).advisories,
    deny: config.deny,
    typosquat: { npm: matcherOf({}), pypi: matcherOf({}) },
    blocklists: blocklistsOf([]),
    advisories: { forPackage: () => null },
    ...overrides,
  };
}

/** A package that passes every check: old, popular enough, known to the registry. */
export function factsFor(
  ecosystem: Ecosystem,
  name: string,
  version: string | null = null,
  changes: Partial<PackageFacts> = {},
): PackageFacts {
  const versions = new Map<string, Date>([['1.0.0', daysAgo(400)]]);
  if (version !== null && !versions.has(version)) versions.set(version, daysAgo(200));
  return {
    ecosystem,
    name,
    canonicalName: canonicalName(ecosystem, name),
    version,
    exists: { state: 'known', value: true, source: 'fixture registry' },
    downloads: { state: 'known', value: { exactly: 50_000 }, source: 'fixture downloads API' },
    publishTimes: { state: 'known', value: { created: daysAgo(400), versions }, source: 'fixture registry' },
    ...changes,
  };
}
