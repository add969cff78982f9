// `depfence confusion-scan [--config F] [--json]`: is a dependency-confusion attack already under
// way? For every name the configuration reserves for internal packages, ask the public registry
// whether someone has published it there. The firewall itself never asks the public registry about
// internal names (asking leaks them); this command is the one deliberate exception, run by a person.
//
// Which names: the exact names in policy.confusion; for scopes and prefixes, the names the internal
// registry lists (npm: its search endpoint; PyPI: its simple index root) when one is configured.
// Exit 1 when any name is claimed publicly, 3 when some could not be checked, 0 otherwise.
import type { Config } from '../config/index.js';
import { canonicalName, type Ecosystem } from '../names/index.js';
import { internalNameRule } from '../policy/index.js';
import { createHttpClient, type HttpClient } from '../sources/http.js';
import { fetchNpmPackument, npmPublishTimes } from '../sources/npm-metadata.js';
import { fetchPypiProject, pypiPublishTimes } from '../sources/pypi-metadata.js';
import { EXIT } from '../policy/exit-codes.js';
import { UsageError } from './usage-error.js';

export interface InternalName {
  ecosystem: Ecosystem;
  name: string;
  /** The policy.confusion rule that reserves it ("scope @mycorp", "name x", "prefix mycorp-"). */
  rule: string;
}

export interface ClaimResult extends InternalName {
  /** claimed: the public registry has it; free: it does not; unknown: the question failed. */
  status: 'claimed' | 'free' | 'unknown';
  detail: string;
}

export interface ScanReport {
  results: ClaimResult[];
  /** What was not scanned, and why (a scope without an internal registry to list it…). */
  notes: string[];
}

const SEARCH_PAGE = 250;
const SEARCH_PAGES = 40;

export async function runConfusionScan(config: Config, options: { json: boolean }, out: (text: string) => void): Promise<number> {
  if (config.offline)
    throw new UsageError('confusion-scan asks the public registries, so it cannot run offline (drop --offline / offline: true)');
  const http = createHttpClient({
    timeoutMs: config.network.timeout,
    retries: config.network.retries,
    concurrency: config.network.concurrency,
    cacheDir: null,
    cacheTtlMs: 0,
    staleIfErrorMs: 0,
    maxResponseBytes: config.network.maxResponseBytes,
  });
  const report = await scanConfusion(config, http);
  out(options.json ? JSON.stringify(report) : formatReport(report));
  if (report.results.some((result) => result.status === 'claimed')) return EXIT.denied;
  if (report.results.some((result) => result.status === 'unknown') || report.notes.some((note) => note.startsWith('could not')))
    return EXIT.factsUnavailable;
  return EXIT.ok;
}

export async function scanConfusion(config: Config, http: HttpClient): Promise<ScanReport> {
  const notes: string[] = [];
  const names = dedupe([...(await npmInternalNames(config, http, notes)), ...(await pypiInternalNames(config, http, notes))]);
  const results = await Promise.all(names.map((name) => checkPublic(config, http, name)));
  return { results, notes };
}

// ── the internal names ─────────────────────────────────────────────────────────────────────────

async function npmInternalNames(config: Config, http: HttpClient, notes: string[]): Promise<InternalName[]> {
  const rules = config.policy.confusion.npm;
  const names: InternalName[] = rules.names.map((name) => ({ ecosystem: 'npm', name, rule: `name ${name.toLowerCase()}` }));
  const patterns = [
    ...rules.scopes.map((scope) => ({ term: `@${scope}`, label: `scope @${scope}` })),
    ...rules.prefixes.map((prefix) => ({ term: prefix, label: `prefix ${prefix}` })),
  ];
  if (patterns.length === 0) return names;
  const internal = config.upstreams.npm.internal;
  if (internal === null) {
    notes.push(
      `npm ${patterns.map((p) => p.label).join(', ')}: no internal registry (upstreams.npm.internal) to list their packages, so only exact names were checked`,
    );
    return names;
  }
  for (const pattern of patterns) {
    try {
      for (const name of await searchNames(http, internal, pattern.term)) {
        const rule = internalNameRule('npm', canonicalName('npm', name), config.policy.confusion);
        if (rule !== null) names.push({ ecosystem: 'npm', name, rule });
      }
    } catch (error) {
      notes.push(`could not list the internal npm registry's packages for ${pattern.label}: ${(error as Error).message}`);
    }
  }
  return names;
}

/** Package names from an npm registry's search endpoint (`/-/v1/search`), every page. */
async function searchNames(http: HttpClient, registry: string, text: string): Promise<string[]> {
  const names: string[] = [];
  for (let page = 0; page < SEARCH_PAGES; page++) {
    const url = `${registry}-/v1/search?text=${encodeURIComponent(text)}&size=${SEARCH_PAGE}&from=${page * SEARCH_PAGE}`;
    const answer = await http.getJson<{ objects?: { package?: { name?: unknown } }[] }>(url, {
      upstream: { name: 'internal npm registry', setting: 'upstreams.npm.internal' },
    });
    const objects = answer.body?.objects ?? [];
    for (const object of objects) if (typeof object.package?.name === 'string') names.push(object.package.name);
    if (objects.length < SEARCH_PAGE) break;
  }
  return names;
}

async function pypiInternalNames(config: Config, http: HttpClient, notes: string[]): Promise<InternalName[]> {
  const rules = config.policy.confusion.pypi;
  const names: InternalName[] = rules.names.map((name) => ({ ecosystem: 'pypi', name, rule: `name ${canonicalName('pypi', name)}` }));
  if (rules.prefixes.length === 0) return names;
  const internal = config.upstreams.pypi.internal;
  if (internal === null) {
    notes.push(
      `PyPI ${rules.prefixes.map((p) => `prefix ${p}`).join(', ')}: no internal index (upstreams.pypi.internal) to list its projects, so only exact names were checked`,
    );
    return names;
  }
  try {
    const answer = await http.getJson<{ projects?: { name?: unknown }[] }>(internal, {
      accept: 'application/vnd.pypi.simple.v1+json',
      upstream: { name: 'internal PyPI index', setting: 'upstreams.pypi.internal' },
    });
    for (const project of answer.body?.projects ?? []) {
      if (typeof project.name !== 'string') continue;
      const rule = internalNameRule('pypi', canonicalName('pypi', project.name), config.policy.confusion);
      if (rule?.startsWith('prefix')) names.push({ ecosystem: 'pypi', name: project.name, rule });
    }
  } catch (error) {
    notes.push(`could not list the internal PyPI index's projects (PEP 691 JSON) for the prefixes: ${(error as Error).message}`);
  }
  return names;
}

function dedupe(names: InternalName[]): InternalName[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = `${name.ecosystem}:${canonicalName(name.ecosystem, name.name)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ── the public registries ──────────────────────────────────────────────────────────────────────

async function checkPublic(config: Config, http: HttpClient, internal: InternalName): Promise<ClaimResult> {
  try {
    if (internal.ecosystem === 'npm') {
      const answer = await fetchNpmPackument(http, config.upstreams.npm.registry, internal.name);
      if (!answer.found) return { ...internal, status: 'free', detail: `not on ${config.upstreams.npm.registry}` };
      const times = npmPublishTimes(answer.packument);
      return {
        ...internal,
        status: 'claimed',
        detail: claimDetail(config.upstreams.npm.registry, Object.keys(answer.packument.versions).length, times.created),
      };
    }
    const answer = await fetchPypiProject(http, config.upstreams.pypi.json, internal.name);
    if (!answer.found) return { ...internal, status: 'free', detail: `not on ${config.upstreams.pypi.json}` };
    const times = pypiPublishTimes(answer.releases);
    return { ...internal, status: 'claimed', detail: claimDetail(config.upstreams.pypi.json, times.versions.size, times.created) };
  } catch (error) {
    return { ...internal, status: 'unknown', detail: (error as Error).message };
  }
}

function claimDetail(registry: string, versions: number, created: Date | null): string {
  const since = created ? `, first published ${created.toISOString().slice(0, 10)}` : '';
  return `published on ${registry} (${versions} version${versions === 1 ? '' : 's'}${since}): anyone installing it from there gets someone else's code`;
}

function formatReport(report: ScanReport): string {
  const mark = { claimed: 'CLAIMED', free: 'free   ', unknown: 'UNKNOWN' } as const;
  const lines = report.results.map(
    (result) => `${mark[result.status]}  ${result.ecosystem}:${result.name}  (${result.rule}) ${result.detail}`,
  );
  for (const note of report.notes) lines.push(`note: ${note}`);
  const claimed = report.results.filter((result) => result.status === 'claimed').length;
  const unknown = report.results.filter((result) => result.status === 'unknown').length;
  if (report.results.length === 0)
    lines.push('no internal names to scan: list them in policy.confusion (names, or scopes/prefixes with an internal registry)');
  else lines.push('', `${report.results.length} internal names checked: ${claimed} claimed publicly, ${unknown} could not be checked`);
  if (claimed > 0)
    lines.push(
      'a claimed internal name is a dependency-confusion attack in progress (or a leak): keep depfence in front of every install, and report the public package to the registry',
    );
  return lines.join('\n');
}
