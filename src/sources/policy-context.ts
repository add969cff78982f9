// Builds the policy's read-only context from the configuration: the bundled download snapshots,
// the typosquat matchers over the popular names, and the blocklists. Done once per process.
import { splitAllowList, type Config } from '../config/index.js';
import { createTyposquatMatcher, type Ecosystem, type TyposquatMatcher } from '../names/index.js';
import type { Blocklists, PolicyContext } from '../policy/index.js';
import { loadBlocklists } from './blocklists.js';
import { loadPopularExclusions } from './popular-exclusions.js';
import { loadDownloadSnapshot, type DownloadSnapshot } from './snapshot.js';
import { ThreatData } from './osv/threat-data.js';

export type Snapshots = Record<Ecosystem, DownloadSnapshot>;
type PopularSettings = Config['policy']['typosquat']['popular'];

export interface PolicyData {
  context: PolicyContext;
  /** The typosquat matchers of `context`, each built when first asked for. */
  matchers: Record<Ecosystem, TyposquatMatcher>;
  snapshots: Snapshots;
  threatData: ThreatData;
}

/** `threatData`: the index holder to decide with (default: the one in the data dir, loaded now). */
export function loadPolicyData(config: Config, threatData = ThreatData.forDataDir(config.server.dataDir)): PolicyData {
  const snapshots: Snapshots = { npm: loadDownloadSnapshot('npm'), pypi: loadDownloadSnapshot('pypi') };
  const allow = splitAllowList(config.allow);
  const matchers = matchersFor(snapshots, config.policy.typosquat.popular);
  return {
    snapshots,
    threatData,
    matchers,
    context: {
      policy: config.policy,
      allow: allow.packages,
      acceptedAdvisories: allow.advisories,
      deny: config.deny,
      typosquat: matchers,
      blocklists: blocklistsFor(config.policy.blocklists),
      advisories: threatData,
    },
  };
}

// The matchers and lists take a while to build and depend only on these settings, so a process
// that builds several contexts (tests, a reloaded config) builds each once.
const matcherCache = new Map<string, Record<Ecosystem, TyposquatMatcher>>();
const blocklistCache = new Map<string, Blocklists>();

/**
 * Each ecosystem's matcher is built when it is first asked for (`depfence check npm:…` never builds
 * PyPI's), and its rule indexes at its first name that is not itself popular; `depfence serve`
 * builds all of them before it listens (see `loadEverything`).
 */
function matchersFor(snapshots: Snapshots, popular: PopularSettings): Record<Ecosystem, TyposquatMatcher> {
  const key = JSON.stringify(popular);
  let matchers = matcherCache.get(key);
  if (!matchers) {
    let npm: TyposquatMatcher | undefined;
    let pypi: TyposquatMatcher | undefined;
    matchers = {
      get npm() {
        return (npm ??= createTyposquatMatcher('npm', snapshots.npm.mostDownloaded({ atLeast: popular.npmMinDownloads }), {
          exclude: loadPopularExclusions().npm,
          knownScopes: establishedScopes(snapshots.npm),
        }));
      },
      get pypi() {
        return (pypi ??= createTyposquatMatcher('pypi', snapshots.pypi.mostDownloaded({ limit: popular.pypiTop }), {
          exclude: loadPopularExclusions().pypi,
        }));
      },
    };
    matcherCache.set(key, matchers);
  }
  return matchers;
}

/** Builds whatever is otherwise built on first use, so no decision waits for it. */
export function loadEverything(data: PolicyData): void {
  for (const ecosystem of ['npm', 'pypi'] as const) data.matchers[ecosystem].buildIndexes();
}

function blocklistsFor(settings: Config['policy']['blocklists']): Blocklists {
  const key = JSON.stringify(settings);
  let lists = blocklistCache.get(key);
  if (!lists) {
    lists = loadBlocklists(settings);
    blocklistCache.set(key, lists);
  }
  return lists;
}

/** An npm scope whose packages add up to this many downloads a month belongs to a real organisation. */
const ESTABLISHED_SCOPE_DOWNLOADS = 100_000;

/** Lazy: the matcher reads it at its first scoped name (the scope totals take a while to add up). */
function* establishedScopes(snapshot: DownloadSnapshot): Generator<string> {
  for (const [name, scope] of snapshot.scopes()) if (scope.total >= ESTABLISHED_SCOPE_DOWNLOADS) yield name;
}
