// Builds the policy's read-only context from the configuration: the bundled download snapshots,
// the typosquat matchers over the popular names, and the blocklists. Done once per process.
import type { Config } from '../config/index.js';
import { createTyposquatMatcher, type Ecosystem } from '../names/index.js';
import type { PolicyContext } from '../policy/index.js';
import { loadBlocklists } from './blocklists.js';
import { loadPopularExclusions } from './popular-exclusions.js';
import { loadDownloadSnapshot, type DownloadSnapshot } from './snapshot.js';

export type Snapshots = Record<Ecosystem, DownloadSnapshot>;

export interface PolicyData {
  context: PolicyContext;
  snapshots: Snapshots;
}

export function loadPolicyData(config: Config): PolicyData {
  const snapshots: Snapshots = { npm: loadDownloadSnapshot('npm'), pypi: loadDownloadSnapshot('pypi') };
  const exclusions = loadPopularExclusions();
  return {
    snapshots,
    context: {
      policy: config.policy,
      allow: config.allow,
      deny: config.deny,
      typosquat: {
        npm: createTyposquatMatcher('npm', popularNames(snapshots.npm, config), { exclude: exclusions.npm, knownScopes: establishedScopes(snapshots.npm) }),
        pypi: createTyposquatMatcher('pypi', popularNames(snapshots.pypi, config), { exclude: exclusions.pypi }),
      },
      blocklists: loadBlocklists(config.policy.blocklists),
    },
  };
}

/** The typosquat targets: npm names above the configured download count, the top N PyPI projects. */
function* popularNames(snapshot: DownloadSnapshot, config: Config) {
  const { npmMinDownloads, pypiTop } = config.policy.typosquat.popular;
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
