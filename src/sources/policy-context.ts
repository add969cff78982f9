// Builds the policy's read-only context from the configuration: the bundled download snapshots,
// the typosquat matchers over the popular names, and the blocklists. Done once per process.
import { splitAllowList, type Config } from '../config/index.js';
import { createTyposquatMatcher, type Ecosystem } from '../names/index.js';
import type { Blocklists, PolicyContext } from '../policy/index.js';
import { loadBlocklists } from './blocklists.js';
import { loadPopularExclusions } from './popular-exclusions.js';
import { loadDownloadSnapshot, type DownloadSnapshot } from './snapshot.js';
import { ThreatData } from './osv/threat-data.js';

export type Snapshots = Record<Ecosystem, DownloadSnapshot>;
type PopularSettings = Config['policy']['typosquat']['popular'];

export interface PolicyData {
  context: PolicyContext;
  snapshots: Snapshots;
  threatData: ThreatData;
}

/** `threatData`: the index holder to decide with (default: the one in the data dir, loaded now). */
export function loadPolicyData(config: Config, threatData = ThreatData.forDataDir(config.server.dataDir)): PolicyData {
  const snapshots: Snapshots = { npm: loadDownloadSnapshot('npm'), pypi: loadDownloadSnapshot('pypi') };
  const allow = splitAllowList(config.allow);
  return {
    snapshots,
    threatData,
    context: {
      policy: config.policy,
      allow: allow.packages,
      acceptedAdvisories: allow.advisories,
      deny: config.deny,
      typosquat: matchersFor(snapshots, config.policy.typosquat.popular),
      blocklists: blocklistsFor(config.policy.blocklists),
      advisories: threatData,
    },
  };
}

// The matchers and lists take a few hundred milliseconds to build and depend only on these
// settings, so a process that builds several contexts (tests, a reloaded config) builds each once.
const matcherCache = new Map<string, PolicyContext['typosquat']>();
const blocklistCache = new Map<string, Blocklists>();

function matchersFor(snapshots: Snapshots, popular: PopularSettings): PolicyContext['typosquat'] {
  const key = JSON.stringify(popular);
  let matchers = matcherCache.get(key);
  if (!matchers) {
    const exclusions = loadPopularExclusions();
    matchers = {
      npm: createTyposquatMatcher('npm', popularNames(snapshots.npm, popular), { exclude: exclusions.npm, knownScopes: establishedScopes(snapshots.npm) }),
      pypi: createTyposquatMatcher('pypi', popularNames(snapshots.pypi, popular), { exclude: exclusions.pypi }),
    };
    matcherCache.set(key, matchers);
  }
  return matchers;
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

/** The typosquat targets: npm names above the configured download count, the top N PyPI projects. */
function* popularNames(snapshot: DownloadSnapshot, { npmMinDownloads, pypiTop }: PopularSettings) {
  let taken = 0;
  for (const entry of snapshot.entries()) {
    if (snapshot.ecosystem === 'npm' ? entry.downloads < npmMinDownloads : taken >= pypiTop) return;
    taken++;
    yield entry;
  }
}

/** An npm scope whose packages add up to this many downloads a month belongs to a real organisation. */
const ESTABLISHED_SCOPE_DOWNLOADS = 100_000;

function establishedScopes(snapshot: DownloadSnapshot): string[] {
  const totals = new Map<string, number>();
  for (const { name, downloads } of snapshot.entries()) {
    if (!name.startsWith('@')) continue;
    const scope = name.slice(1, name.indexOf('/')).toLowerCase();
    totals.set(scope, (totals.get(scope) ?? 0) + downloads);
  }
  return [...totals].filter(([, total]) => total >= ESTABLISHED_SCOPE_DOWNLOADS).map(([scope]) => scope);
}
