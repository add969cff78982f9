// Typosquat matcher benchmark: build cost, lookup throughput and latency (match, and matchAll as the
// policy calls it) against the full popular sets, compared in the same run with the matcher before
// the resemblance rules (taken from git) and with a naive scan (OSA
// distance ≤ 1 to every popular name per query); then the flag and deny rates, by tier, over the npm
// names that are not popular.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createTyposquatMatcher, type Ecosystem, type TyposquatMatcher } from '../../src/names/index.js';
import { canonicalName } from '../../src/names/index.js';
import { allDownloads, NPM_POPULAR_FLOOR, popularExclusions, popularPackages, type Downloads } from '../names/popular-data.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const QUERIES = 10_000;

/** The last commit before the resemblance tiers (issue #12): "today's matcher" in the comparison. */
const BASELINE_COMMIT = '59bbc1a';

type MatcherFactory = typeof createTyposquatMatcher;

/**
 * The matcher as it was at BASELINE_COMMIT, taken from git into a temporary folder inside the
 * repository (so its imports resolve against node_modules), or the reason it cannot be had.
 */
async function baselineFactory(): Promise<{ create: MatcherFactory; cleanup: () => void } | string> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let dir: string | null = null;
  try {
    dir = mkdtempSync(join(root, 'test', 'bench', '.baseline-'));
    const archive = execFileSync('git', ['-C', root, 'archive', BASELINE_COMMIT, 'src/names', 'src/types'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    const module = (await import(pathToFileURL(join(dir, 'src', 'names', 'index.ts')).href)) as { createTyposquatMatcher: MatcherFactory };
    const made = dir;
    return { create: module.createTyposquatMatcher, cleanup: () => rmSync(made, { recursive: true, force: true }) };
  } catch (error) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return `today's matcher (${BASELINE_COMMIT}) could not be taken from git: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** mulberry32: a small seeded generator, so every run measures the same queries. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

function typoOf(name: string, random: () => number): string {
  const at = Math.floor(random() * name.length);
  const char = LETTERS[Math.floor(random() * LETTERS.length)]!;
  switch (Math.floor(random() * 7)) {
    case 0:
      return name.slice(0, at) + name.slice(at + 1); // omit
    case 1:
      return name.slice(0, at) + name.charAt(at) + name.slice(at); // repeat
    case 2:
      return at + 1 < name.length ? name.slice(0, at) + name.charAt(at + 1) + name.charAt(at) + name.slice(at + 2) : name + char;
    case 3:
      return name.slice(0, at) + char + name.slice(at + 1); // substitute
    case 4:
      return name.slice(0, at) + char + name.slice(at); // insert
    case 5:
      return name.replace(/[-._]/, '') + (random() < 0.5 ? '-js' : '2'); // separator, affix, version
    default:
      return name.split('-').reverse().join('-');
  }
}

function randomName(random: () => number): string {
  const length = 5 + Math.floor(random() * 11);
  let name = '';
  for (let i = 0; i < length; i++) name += i > 1 && i < length - 2 && random() < 0.1 ? '-' : LETTERS[Math.floor(random() * 26)]!;
  return name;
}

/** A third typos of popular names, a third popular names, a third random unknown names. */
function mixedQueries(popular: Downloads[], random: () => number): string[] {
  const names = popular.map((entry) => entry.name);
  const pick = (): string => names[Math.floor(random() * names.length)]!;
  return Array.from({ length: QUERIES }, (_, i) => (i % 3 === 0 ? typoOf(pick(), random) : i % 3 === 1 ? pick() : randomName(random)));
}

/** OSA distance ≤ 1 in linear time: skip the common prefix and suffix, then look at what is left. */
function withinOneEdit(a: string, b: string): boolean {
  const diff = a.length - b.length;
  if (diff > 1 || diff < -1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const restA = endA - start;
  const restB = endB - start;
  if (restA <= 1 && restB <= 1) return true;
  return restA === 2 && restB === 2 && a[start] === b[start + 1] && a[start + 1] === b[start];
}

function naiveScanner(ecosystem: Ecosystem, popular: Downloads[]): (name: string) => string | null {
  const canon = popular.map((entry) => canonicalName(ecosystem, entry.name));
  const set = new Set(canon);
  return (name) => {
    const query = canonicalName(ecosystem, name);
    if (set.has(query)) return null;
    for (let i = 0; i < canon.length; i++) if (withinOneEdit(query, canon[i]!)) return popular[i]!.name;
    return null;
  };
}

function time(queries: string[], lookup: (name: string) => unknown): { perSecond: number; p50: number; p99: number } {
  for (const query of queries.slice(0, 500)) lookup(query); // warm up
  const samples = new Float64Array(queries.length);
  const start = performance.now();
  queries.forEach((query, i) => {
    const before = performance.now();
    lookup(query);
    samples[i] = performance.now() - before;
  });
  const total = performance.now() - start;
  samples.sort();
  return {
    perSecond: queries.length / (total / 1000),
    p50: samples[Math.floor(samples.length * 0.5)]! * 1000,
    p99: samples[Math.floor(samples.length * 0.99)]! * 1000,
  };
}

function rateOf(figures: { perSecond: number; p50: number; p99: number }): string {
  return `${Math.round(figures.perSecond).toLocaleString('en')}/s (p50 ${figures.p50.toFixed(1)} µs, p99 ${figures.p99.toFixed(1)} µs)`;
}

function build(ecosystem: Ecosystem, popular: Downloads[]): TyposquatMatcher {
  const exclude = popularExclusions(ecosystem);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const matcher = createTyposquatMatcher(ecosystem, popular, { exclude });
  const built = performance.now() - start;
  gc();
  const heap = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  console.log(`${ecosystem}: built over ${matcher.size} popular names in ${built.toFixed(0)} ms, heap +${heap.toFixed(1)} MB`);
  return matcher;
}

function lengthClass(name: string): string {
  const bare = name.replace(/^@[^/]*\//, '');
  return bare.length <= 4 ? '≤4' : bare.length <= 7 ? '5–7' : '≥8';
}

function falsePositives(label: string, matcher: TyposquatMatcher, names: Downloads[]): void {
  const total = new Map<string, number>();
  const flagged = new Map<string, number>();
  const rules = new Map<string, number>();
  const typos = new Map<string, number>();
  let deniable = 0;
  for (const { name, downloads } of names) {
    const cls = lengthClass(name);
    total.set(cls, (total.get(cls) ?? 0) + 1);
    const match = matcher.match(name);
    if (!match) continue;
    flagged.set(cls, (flagged.get(cls) ?? 0) + 1);
    if (match.tier === 'typo') typos.set(cls, (typos.get(cls) ?? 0) + 1);
    rules.set(`${match.tier} ${match.rule}`, (rules.get(`${match.tier} ${match.rule}`) ?? 0) + 1);
    // The policy's deny with the default settings (age unknown here): a typo under 1% of the
    // target's downloads, or a resemblance under 1% with fewer than 1,000 downloads.
    if (downloads < match.targetDownloads / 100 && (match.tier === 'typo' || downloads <= 1000)) deniable++;
  }
  const share = (n: number, of: number): string => `${((100 * n) / of).toFixed(2)}%`;
  const all = [...flagged.values()].reduce((a, b) => a + b, 0);
  console.log(`${label}: ${names.length} names, flagged ${share(all, names.length)} (would be denied: ${share(deniable, names.length)})`);
  for (const cls of ['≤4', '5–7', '≥8']) {
    const of = total.get(cls) ?? 1;
    console.log(
      `  ${cls.padEnd(3)} chars: ${share(flagged.get(cls) ?? 0, of)} of ${total.get(cls) ?? 0} (as typos ${share(typos.get(cls) ?? 0, of)})`,
    );
  }
  console.log(
    `  by rule: ${[...rules]
      .sort((a, b) => b[1] - a[1])
      .map(([rule, n]) => `${rule} ${n}`)
      .join(', ')}`,
  );
}

export default async function typosquatBenchmark(): Promise<void> {
  const random = seeded(20261125);
  const baseline = await baselineFactory();
  if (typeof baseline === 'string') console.log(`(${baseline}; comparing with the naive scan only)`);
  const matchers = new Map<Ecosystem, TyposquatMatcher>();
  for (const ecosystem of ['npm', 'pypi'] as const) matchers.set(ecosystem, build(ecosystem, popularPackages(ecosystem)));
  for (const ecosystem of ['npm', 'pypi'] as const) {
    const popular = popularPackages(ecosystem);
    const matcher = matchers.get(ecosystem)!;
    const queries = mixedQueries(popular, random);
    if (typeof baseline !== 'string') {
      const before = baseline.create(ecosystem, popular, { exclude: popularExclusions(ecosystem) });
      const old = time(queries, (name) => before.match(name));
      const now = time(queries, (name) => matcher.matchAll(name));
      console.log(`${ecosystem}: today's matcher (${BASELINE_COMMIT}) ${rateOf(old)}; with the new rules (matchAll) ${rateOf(now)}`);
    }
    const indexed = time(queries, (name) => matcher.match(name));
    const all = time(queries, (name) => matcher.matchAll(name));
    const naive = time(queries, naiveScanner(ecosystem, popular));
    const matches = queries.map((name) => matcher.match(name));
    const typos = matches.filter((match) => match?.tier === 'typo').length;
    const resemblances = matches.filter((match) => match?.tier === 'resemblance').length;
    console.log(
      `${ecosystem}: ${QUERIES} mixed lookups (${typos} typos, ${resemblances} resemblances): match ${rateOf(indexed)}; ` +
        `matchAll (what the policy calls) ${rateOf(all)}; naive OSA≤1 scan ${rateOf(naive)}; ` +
        `matchAll is ${(all.perSecond / naive.perSecond).toFixed(1)}× the scan, with every rule, not just OSA`,
    );
  }
  const npmOthers = allDownloads('npm').filter((entry) => entry.downloads < NPM_POPULAR_FLOOR && entry.downloads >= 100);
  falsePositives('npm names with 100 to 1M downloads a month', matchers.get('npm')!, npmOthers);
  // PyPI has no list of unpopular names here: as a proxy, the top 5,000 are the popular set and the
  // next 10,000 (well-used, almost all legitimate) are the candidates.
  const pypi = popularPackages('pypi');
  const top5k = createTyposquatMatcher('pypi', pypi.slice(0, 5000), { exclude: popularExclusions('pypi') });
  falsePositives('PyPI ranks 5,001–15,000 against the top 5,000', top5k, pypi.slice(5000));
  if (typeof baseline !== 'string') baseline.cleanup();
}
