/**
 * build-snapshots: regenerates the data depfence ships, from public sources.
 *
 *   npm run snapshots -- [--from-dir DIR] [--npm-downloads FILE] [--npm-date DATE] [--out DIR]
 *
 * Writes (under the package root, or --out DIR):
 *   config/snapshots/npm-downloads.tsv.gz   npm downloads last month (rounded down to 3 significant figures)
 *   config/snapshots/npm-top-2000.txt       the 2,000 most-downloaded npm names (the corpus list)
 *   config/snapshots/pypi-downloads.tsv.gz  the 15,000 most-downloaded PyPI projects
 *   blocklists/npm-malicious.txt            DataDog's known-malicious npm packages
 *   blocklists/pypi-malicious.txt           DataDog's known-malicious PyPI projects
 *   config/snapshots/hf-popular.txt         Hugging Face repo ids cited by @huggingface/tasks and
 *                                           @huggingface/hub (scripts/hf-popular.ts)
 * and checks, without changing them, the curated files: config/snapshots/popular-exclusions.txt
 * (it prints popular names that look like candidates) and blocklists/*-slopsquat.txt (it fails if
 * one of their names is among the 2,000 most-downloaded packages).
 *
 * Inputs, fetched by default:
 *   PyPI downloads   https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json
 *   malicious npm    https://raw.githubusercontent.com/DataDog/malicious-software-packages-dataset/main/samples/npm/manifest.json
 *   malicious PyPI   https://raw.githubusercontent.com/DataDog/malicious-software-packages-dataset/main/samples/pypi/manifest.json
 *   npm downloads    no public single file exists: pass --npm-downloads FILE. Without it the
 *                    committed npm snapshot is kept as it is.
 *
 * Flags:
 *   --from-dir DIR        read every input from DIR instead of the network. DIR is laid out like the
 *                         project's shared data folder: top-pypi-packages.min.json,
 *                         datadog-malicious-npm.json, datadog-malicious-pypi.json, npm-downloads.tsv.gz,
 *                         and SOURCES.md, whose table gives each file's commit and date.
 *   --npm-downloads FILE  npm counts, `name<TAB>downloads_last_month` lines, sorted or not, optionally
 *                         gzipped, with or without a header line. Overrides the one in --from-dir.
 *   --npm-date DATE       when the npm counts were taken (default: from SOURCES.md, else the file's
 *                         modification month).
 *   --npm-claimed-floor N the smallest count the npm file claims to be complete down to (default 100).
 *                         When the file stops above it (it was cut by row count), the snapshot's floor
 *                         is one more than the smallest count it holds.
 *   --corpus DIR          the real-data corpus (`npm run corpus`; default .corpus/npm): the npm snapshot's
 *                         header then says how many of the names the newest releases of the top 2,000
 *                         packages depend on it lists, and names the most-depended-on missing ones.
 *   --out DIR             write under DIR instead of the package root (to try it out).
 *   --help                print this text.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import got from 'got';
import { parseBlocklist } from '../src/sources/blocklists.js';
import { canonicalName } from '../src/names/index.js';
import { isRecord } from '../src/protocol/npm/packument.js';
import { loadPopularExclusions } from '../src/sources/popular-exclusions.js';
import { packageRoot } from '../src/sources/package-root.js';
import { hfPopularList } from './hf-popular.js';
import { parseSnapshot, SORTED, type DownloadSnapshot } from '../src/sources/snapshot.js';

type Ecosystem = 'npm' | 'pypi';
type Manifest = Record<string, string[] | null>;

/** Where an input came from, for the output's header. */
interface Origin {
  source: string;
  date: string;
}

interface Inputs {
  pypiTop: { rows: { project: string; download_count: number }[]; origin: Origin };
  malicious: Record<Ecosystem, { manifest: Manifest; origin: Origin }>;
  npmDownloads: { text: string; origin: Origin } | null;
}

interface Options {
  fromDir: string | undefined;
  npmDownloads: string | undefined;
  npmDate: string | undefined;
  npmClaimedFloor: number;
  corpus: string;
  out: string;
}

const PYPI_TOP_URL = 'https://hugovk.github.io/top-pypi-packages/top-pypi-packages.min.json';
const DATADOG_REPO = 'DataDog/malicious-software-packages-dataset';
const datadogManifestUrl = (ecosystem: Ecosystem) =>
  `https://raw.githubusercontent.com/${DATADOG_REPO}/main/samples/${ecosystem}/manifest.json`;
const DATADOG_LICENCE = `Apache-2.0. The entries are DataDog's (Copyright Datadog, Inc.; https://github.com/${DATADOG_REPO}), reformatted by depfence`;
const BUILT_BY = 'built by scripts/build-snapshots.ts (npm run snapshots); do not edit by hand';
const SLOPSQUAT_POPULAR_TOP = 2000;
const CORPUS_SIZE = 2000;

class UserError extends Error {}

async function main(): Promise<void> {
  const options = parseOptions();
  if (!options) return;
  const inputs = options.fromDir ? readInputsFromDir(options.fromDir, options) : await fetchInputs(options);
  const outputs = buildOutputs(inputs, options);
  outputs.push(['config/snapshots/hf-popular.txt', hfPopularList(join(packageRoot(), 'node_modules'))]);
  for (const [path, text] of outputs) writeOutput(options.out, path, text);
  if (!inputs.npmDownloads)
    console.log('npm downloads: no --npm-downloads FILE given; kept config/snapshots/npm-downloads.tsv.gz as it is.');
  checkCuratedLists(options.out);
}

/** Every output file and its text, built before anything is written (a bad input writes nothing). */
function buildOutputs(inputs: Inputs, options: Options): [path: string, text: string][] {
  const outputs: [string, string][] = [
    ['config/snapshots/pypi-downloads.tsv.gz', pypiDownloadsTsv(inputs.pypiTop.rows, inputs.pypiTop.origin)],
  ];
  if (inputs.npmDownloads) {
    const { text, origin } = inputs.npmDownloads;
    outputs.push(['config/snapshots/npm-downloads.tsv.gz', npmDownloadsTsv(text, origin, options.npmClaimedFloor, options.corpus)]);
    outputs.push(['config/snapshots/npm-top-2000.txt', npmTopList(text, origin)]);
  }
  for (const ecosystem of ['npm', 'pypi'] as const) {
    const { manifest, origin } = inputs.malicious[ecosystem];
    outputs.push([`blocklists/${ecosystem}-malicious.txt`, maliciousList(ecosystem, manifest, origin)]);
  }
  return outputs;
}

// ---------------------------------------------------------------- options

/** The options, or null when --help was asked for (the usage is printed). */
function parseOptions(): Options | null {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'from-dir': { type: 'string' },
        'npm-downloads': { type: 'string' },
        'npm-date': { type: 'string' },
        'npm-claimed-floor': { type: 'string', default: '100' },
        corpus: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UserError(`${(err as Error).message}. Run with --help for the options.`);
  }
  if (values.help) {
    console.log(usage());
    return null;
  }
  const npmClaimedFloor = Number(values['npm-claimed-floor']);
  if (!Number.isInteger(npmClaimedFloor) || npmClaimedFloor < 0) throw new UserError('--npm-claimed-floor takes a whole number');
  return {
    fromDir: values['from-dir'],
    npmDownloads: values['npm-downloads'],
    npmDate: values['npm-date'],
    npmClaimedFloor,
    corpus: values.corpus ?? join(packageRoot(), '.corpus', 'npm'),
    out: values.out ?? packageRoot(),
  };
}

/** The header comment of this file, which documents the flags. */
function usage(): string {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  return (/^\/\*\*\n([\s\S]*?)\*\//.exec(source)?.[1] ?? '').replace(/^ \* ?/gm, '');
}

// ---------------------------------------------------------------- inputs: local folder

function readInputsFromDir(dir: string, options: Options): Inputs {
  const sourcesMd = readOptional(join(dir, 'SOURCES.md'));
  const describe = (file: string, what: string) => describeFromSourcesMd(sourcesMd, file, what);
  const pypiFile = join(dir, 'top-pypi-packages.min.json');
  const pypiJson = readJson(pypiFile);
  const manifest = (ecosystem: Ecosystem) => {
    const file = `datadog-malicious-${ecosystem}.json`;
    return {
      manifest: manifestOf(readJson(join(dir, file)), file),
      origin: describe(file, `${DATADOG_REPO}, samples/${ecosystem}/manifest.json`),
    };
  };
  const npmFile = options.npmDownloads ?? join(dir, 'npm-downloads.tsv.gz');
  const npmSources = options.npmDownloads
    ? undefined
    : describe(
        'npm-downloads.tsv.gz',
        'npm registry download counts (api.npmjs.org/downloads, last month), collected in npm-downloads.tsv.gz',
      );
  return {
    pypiTop: {
      rows: pypiRows(pypiJson, pypiFile),
      origin: pypiOrigin(pypiJson, describe('top-pypi-packages.min.json', 'hugovk/top-pypi-packages, top-pypi-packages.min.json')),
    },
    malicious: { npm: manifest('npm'), pypi: manifest('pypi') },
    npmDownloads: { text: readMaybeGzipped(npmFile), origin: npmOrigin(npmFile, options, npmSources) },
  };
}

/**
 * The commit and date SOURCES.md gives for a file: the table row naming it, `at commit <sha>`,
 * and a date written `2026-04-01`, `March 2026` or `about March 2026`.
 */
function describeFromSourcesMd(sourcesMd: string | null, file: string, what: string): Origin {
  const row = sourcesMd?.split('\n').find((line) => line.startsWith(`| \`${file}\``));
  if (!row)
    throw new UserError(`SOURCES.md in the --from-dir folder has no table row for ${file}, so its commit and date are unknown; add one`);
  const commit = /at commit ([0-9a-f]{7,40})/.exec(row)?.[1];
  return { source: commit ? `${what} at commit ${commit}` : what, date: dateIn(row) ?? 'unknown' };
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function dateIn(text: string): string | undefined {
  const iso = /\b(\d{4}-\d{2}-\d{2})\b/.exec(text);
  if (iso) return iso[1];
  const month = new RegExp(`(about )?(${MONTHS.join('|')}) (\\d{4})`, 'i').exec(text);
  if (!month) return undefined;
  const yearMonth = `${month[3]}-${String(MONTHS.indexOf(month[2]!.toLowerCase()) + 1).padStart(2, '0')}`;
  return month[1] ? `about ${yearMonth}` : yearMonth;
}

// ---------------------------------------------------------------- inputs: network

async function fetchInputs(options: Options): Promise<Inputs> {
  const today = new Date().toISOString().slice(0, 10);
  const pypiJson = await fetchJson(PYPI_TOP_URL, 'the top PyPI packages list');
  const commit = await fetchDatadogCommit();
  const datadogOrigin = (ecosystem: Ecosystem): Origin => ({
    source: `${DATADOG_REPO}, samples/${ecosystem}/manifest.json at ${commit ? `commit ${commit}` : 'branch main'} (fetched ${today})`,
    date: today,
  });
  const fetchManifest = async (ecosystem: Ecosystem) =>
    manifestOf(
      await fetchJson(datadogManifestUrl(ecosystem), `DataDog's ${ecosystem} malicious-package manifest`),
      datadogManifestUrl(ecosystem),
    );
  return {
    pypiTop: {
      rows: pypiRows(pypiJson, PYPI_TOP_URL),
      origin: pypiOrigin(pypiJson, { source: 'hugovk/top-pypi-packages, top-pypi-packages.min.json (hugovk.github.io)', date: today }),
    },
    malicious: {
      npm: { manifest: await fetchManifest('npm'), origin: datadogOrigin('npm') },
      pypi: { manifest: await fetchManifest('pypi'), origin: datadogOrigin('pypi') },
    },
    npmDownloads: options.npmDownloads
      ? { text: readMaybeGzipped(options.npmDownloads), origin: npmOrigin(options.npmDownloads, options) }
      : null,
  };
}

async function fetchJson(url: string, what: string): Promise<unknown> {
  try {
    return await got(url, { timeout: { request: 60_000 }, retry: { limit: 2 } }).json();
  } catch (err) {
    throw new UserError(
      `could not fetch ${what} from ${url}: ${(err as Error).message}.\n` +
        'This machine may not reach that host. Run with --from-dir DIR, a folder holding copies of the inputs ' +
        '(see the header of scripts/build-snapshots.ts), e.g. npm run snapshots -- --from-dir ../shared/data',
    );
  }
}

/** The commit `main` points at, so the header can name it; null when GitHub's API cannot be reached. */
async function fetchDatadogCommit(): Promise<string | null> {
  try {
    const sha = await got(`https://api.github.com/repos/${DATADOG_REPO}/commits/main`, {
      headers: { accept: 'application/vnd.github.sha' },
      timeout: { request: 30_000 },
    }).text();
    return /^[0-9a-f]{40}$/.test(sha.trim()) ? sha.trim().slice(0, 12) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- inputs: shapes

function pypiRows(json: unknown, from: string): { project: string; download_count: number }[] {
  const rows = isRecord(json) ? json.rows : undefined;
  const valid =
    Array.isArray(rows) &&
    rows.every((row: unknown) => isRecord(row) && typeof row.project === 'string' && Number.isInteger(row.download_count));
  if (!valid) throw new UserError(`${from} is not the top-pypi-packages format ({rows: [{project, download_count}]})`);
  return rows as { project: string; download_count: number }[];
}

function pypiOrigin(json: unknown, origin: Origin): Origin {
  const lastUpdate = (json as { last_update?: unknown }).last_update;
  return typeof lastUpdate === 'string' ? { ...origin, date: lastUpdate.slice(0, 10) } : origin;
}

function manifestOf(json: unknown, from: string): Manifest {
  const valid =
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    Object.values(json).every((versions) => versions === null || (Array.isArray(versions) && versions.every((v) => typeof v === 'string')));
  if (!valid) throw new UserError(`${from} is not a DataDog manifest ({name: null | [versions]})`);
  return json as Manifest;
}

function npmOrigin(file: string, options: Options, fromSources?: Origin): Origin {
  const date = options.npmDate ?? fromSources?.date ?? statSync(file).mtime.toISOString().slice(0, 7);
  return { source: fromSources?.source ?? `npm registry download counts (api.npmjs.org), collected in ${basename(file)}`, date };
}

// ---------------------------------------------------------------- outputs: download snapshots

interface CountRow {
  name: string;
  downloads: number;
}

function npmDownloadsTsv(text: string, origin: Origin, claimedFloor: number, corpus: string): string {
  const rows = sortForLookup(
    'npm',
    parseCountRows(text).map((row) => ({ ...row, downloads: roundDown3(row.downloads) })),
  );
  const coverage = corpusCoverage(new Set(rows.map((row) => row.name.toLowerCase())), corpus);
  const smallest = smallestCount(rows);
  const cut = smallest > claimedFloor;
  const floor = cut ? smallest + 1 : claimedFloor;
  if (cut) console.log(`npm downloads: the file claims a floor of ${claimedFloor} but stops at ${smallest}; using floor ${floor}.`);
  return downloadsTsv(rows, [
    'depfence npm download snapshot: downloads in the last month of the most-downloaded npm packages.',
    `source: ${origin.source}`,
    'licence: facts (download counts); no licence attached',
    `date: ${origin.date}`,
    `covers: every npm package with at least ${floor} downloads in the last month`,
    `floor: ${floor}`,
    'rounded: down to 3 significant figures (1,234,567 is written 1230000; counts below 1,000 are exact)',
    `rows: ${rows.length}`,
    ...(cut
      ? [
          `note: the source claims every package with at least ${claimedFloor} downloads but stops at ${smallest} (it was cut by row count), so only counts from ${floor} up are complete`,
        ]
      : []),
    ...coverage,
    `sorted: ${SORTED} (lowercase), ties most downloaded first (JSONStream before its squat jsonstream)`,
    'format: name<TAB>downloads; names keep their original case (JSONStream)',
    BUILT_BY,
  ]);
}

/** The corpus list: the 2,000 most-downloaded names, most downloaded first. */
function npmTopList(text: string, origin: Origin): string {
  const top = parseCountRows(text)
    .sort((a, b) => b.downloads - a.downloads)
    .slice(0, CORPUS_SIZE);
  return (
    [
      `# depfence corpus list: the ${CORPUS_SIZE.toLocaleString('en-US')} most-downloaded npm packages, most-downloaded first.`,
      `# source: ${origin.source}, ${origin.date}`,
      '# used by: npm run corpus (fetches these packuments) and test/corpus (reads every one)',
      `# ${BUILT_BY}`,
      ...top.map((row) => row.name),
    ].join('\n') + '\n'
  );
}

/**
 * What the source misses, measured: the names the newest releases of the corpus packages depend
 * on are popular by construction; count how many the snapshot lists. Nothing when there is no corpus.
 */
function corpusCoverage(listed: ReadonlySet<string>, corpus: string): string[] {
  if (!existsSync(corpus)) return [];
  const dependents = new Map<string, number>();
  let packuments = 0;
  for (const file of readdirSync(corpus).filter((name) => name.endsWith('.json.gz'))) {
    const document = JSON.parse(gunzipSync(readFileSync(join(corpus, file))).toString('utf8')) as {
      'dist-tags'?: Record<string, string>;
      versions?: Record<string, Record<string, unknown>>;
    };
    const latest = document.versions?.[document['dist-tags']?.latest ?? ''];
    if (!latest) continue;
    packuments++;
    const names = new Set(
      ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
        Object.keys((latest[field] as object | undefined) ?? {}),
      ),
    );
    for (const name of names) dependents.set(name, (dependents.get(name) ?? 0) + 1);
  }
  if (packuments === 0) return [];
  const missing = [...dependents].filter(([name]) => !listed.has(name.toLowerCase())).sort((a, b) => b[1] - a[1]);
  const share = (((dependents.size - missing.length) / dependents.size) * 100).toFixed(1);
  return [
    `coverage: lists ${dependents.size - missing.length} of the ${dependents.size} names that the newest releases of the ${packuments} most-downloaded packages depend on (${share}%); names missing from it count as "unavailable" when the downloads API cannot be asked`,
    `holes: ${missing.length} such names are missing, mostly packages first published after the counts were taken; the most depended on: ${missing
      .slice(0, 12)
      .map(([name]) => name)
      .join(', ')}`,
  ];
}

function pypiDownloadsTsv(projects: { project: string; download_count: number }[], origin: Origin): string {
  const rows = sortForLookup(
    'pypi',
    mergeByName(projects.map((row) => ({ name: canonicalName('pypi', row.project), downloads: row.download_count }))),
  );
  const floor = smallestCount(rows) + 1;
  return downloadsTsv(rows, [
    'depfence PyPI download snapshot: downloads in the last 30 days of the most-downloaded PyPI projects.',
    `source: ${origin.source}`,
    "licence: data from hugovk/top-pypi-packages (https://github.com/hugovk/top-pypi-packages), by Hugo van Kemenade, which asks for attribution; counts from PyPI's download logs",
    `date: ${origin.date}`,
    `covers: the ${rows.length.toLocaleString('en-US')} most-downloaded PyPI projects`,
    `floor: ${floor}`,
    'rounded: no',
    `rows: ${rows.length}`,
    `note: the list is cut by rank; the least downloaded project listed had ${floor - 1}, so every project with at least ${floor} is listed`,
    `sorted: ${SORTED} (PEP 503)`,
    'format: name<TAB>downloads; names PEP 503-normalised',
    BUILT_BY,
  ]);
}

function parseCountRows(text: string): CountRow[] {
  const rows: CountRow[] = [];
  text.split('\n').forEach((line, index) => {
    const [name, count, extra] = line.trim().split('\t');
    if (!name || name.startsWith('#')) return;
    if (index === 0 && !/^\d+$/.test(count ?? '')) return; // a header line
    if (extra !== undefined || !/^\d+$/.test(count ?? ''))
      throw new UserError(`npm downloads line ${index + 1} is not "name<TAB>count": ${JSON.stringify(line.slice(0, 80))}`);
    rows.push({ name, downloads: Number(count) });
  });
  return mergeByName(rows);
}

/** One row per name (the larger count wins if a name repeats). */
function mergeByName(rows: CountRow[]): CountRow[] {
  const byName = new Map<string, number>();
  for (const row of rows) byName.set(row.name, Math.max(byName.get(row.name) ?? 0, row.downloads));
  return [...byName].map(([name, downloads]) => ({ name, downloads }));
}

/** The order the loader binary-searches: canonical name (as JavaScript compares strings), ties most downloaded first. */
function sortForLookup(ecosystem: Ecosystem, rows: CountRow[]): CountRow[] {
  const keyed = rows.map((row) => ({ row, key: canonicalName(ecosystem, row.name) }));
  keyed.sort((a, b) => compare(a.key, b.key) || b.row.downloads - a.row.downloads || compare(a.row.name, b.row.name));
  return keyed.map(({ row }) => row);
}

function smallestCount(rows: CountRow[]): number {
  return rows.reduce((smallest, row) => Math.min(smallest, row.downloads), Infinity);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rounds down, so a snapshot never overstates a package's downloads. */
function roundDown3(n: number): number {
  const unit = 10 ** Math.max(0, String(n).length - 3);
  return Math.floor(n / unit) * unit;
}

function downloadsTsv(rows: CountRow[], header: string[]): string {
  return [...header.map((line) => `# ${line}`), ...rows.map((row) => `${row.name}\t${row.downloads}`)].join('\n') + '\n';
}

// ---------------------------------------------------------------- outputs: malicious lists

function maliciousList(ecosystem: Ecosystem, manifest: Manifest, origin: Origin): string {
  const merged = mergeManifestNames(ecosystem, manifest);
  const lines: string[] = [];
  for (const [name, versions] of merged) {
    if (versions === null) lines.push(name);
    else for (const version of versions) lines.push(`${name}@${version}`);
  }
  const versionSpecific = [...merged.values()].filter((versions) => versions !== null).length;
  return (
    [
      `# depfence known-malicious ${ecosystem === 'npm' ? 'npm packages' : 'PyPI projects'}, from DataDog's Malicious Software Packages Dataset.`,
      `# source: ${origin.source}`,
      `# date: ${origin.date}`,
      `# licence: ${DATADOG_LICENCE}`,
      `# entries: ${merged.size} names; ${merged.size - versionSpecific} malicious in every version, ${versionSpecific} only in the versions listed`,
      '# format: one entry a line. `name`: every version is malicious. `name@version`: only that version',
      `#   (one line per version; mostly compromised releases of legitimate packages, e.g. ${ecosystem === 'npm' ? 'debug@4.4.2' : 'litellm@1.82.7'}).`,
      `#   ${ecosystem === 'npm' ? 'Scoped names are written @scope/name@1.2.3.' : 'Names are PEP 503-normalised.'} Text after # is a comment.`,
      '# Add your own lists through config: policy.blocklists.files.',
      `# ${BUILT_BY}`,
      ...lines,
    ].join('\n') + '\n'
  );
}

/** Names as the source spells them (PyPI: PEP 503), sorted; `null` (every version) wins a merge. */
function mergeManifestNames(ecosystem: Ecosystem, manifest: Manifest): Map<string, string[] | null> {
  const merged = new Map<string, string[] | null>();
  for (const [rawName, versions] of Object.entries(manifest)) {
    const name = ecosystem === 'pypi' ? canonicalName('pypi', rawName) : rawName;
    const before = merged.get(name);
    if (before === null || versions === null) merged.set(name, null);
    else merged.set(name, [...new Set([...(before ?? []), ...versions])]);
  }
  return new Map([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------- checks of the curated lists

/** Reads back what was written (through depfence's own loaders) and checks the curated lists against it. */
function checkCuratedLists(out: string): void {
  const curated = packageRoot();
  const exclusions = loadPopularExclusions(join(curated, 'config/snapshots/popular-exclusions.txt'));
  for (const ecosystem of ['npm', 'pypi'] as const) {
    const snapshotFile = writtenOrCommitted(out, `config/snapshots/${ecosystem}-downloads.tsv.gz`);
    const snapshot = parseSnapshot(ecosystem, readMaybeGzipped(snapshotFile), snapshotFile);
    const maliciousFile = join(out, `blocklists/${ecosystem}-malicious.txt`);
    const malicious = parseBlocklist(readFileSync(maliciousFile, 'utf8'), maliciousFile, ecosystem, 'malicious');
    const candidates = malicious.entries
      .filter((entry) => entry.version === null && snapshot.count(entry.name) !== undefined && !exclusions[ecosystem].has(entry.canonical))
      .map((entry) => `${ecosystem}:${entry.name} (${snapshot.count(entry.name)} downloads)`);
    if (candidates.length)
      console.log(
        `popular-exclusions.txt: popular names DataDog lists as malicious in every version, not excluded yet (review them):\n  ${candidates.join('\n  ')}`,
      );
    checkSlopsquatList(join(curated, `blocklists/${ecosystem}-slopsquat.txt`), ecosystem, snapshot);
  }
  console.log('Checked the written files, popular-exclusions.txt and the slopsquat lists.');
}

function checkSlopsquatList(file: string, ecosystem: Ecosystem, snapshot: DownloadSnapshot): void {
  const list = parseBlocklist(readFileSync(file, 'utf8'), file, ecosystem, 'slopsquat');
  const top = new Set<string>();
  for (const entry of snapshot.mostDownloaded()) {
    if (top.size >= SLOPSQUAT_POPULAR_TOP) break;
    top.add(canonicalName(ecosystem, entry.name));
  }
  const popular = list.entries.filter((entry) => top.has(entry.canonical)).map((entry) => entry.name);
  if (popular.length)
    throw new UserError(`${file} lists popular packages (top ${SLOPSQUAT_POPULAR_TOP}): ${popular.join(', ')}; remove them`);
}

// ---------------------------------------------------------------- files

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function readMaybeGzipped(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The file as just written under --out, or the committed one when this run did not write it. */
function writtenOrCommitted(out: string, path: string): string {
  return existsSync(join(out, path)) ? join(out, path) : join(packageRoot(), path);
}

function writeOutput(root: string, path: string, text: string): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  const bytes = path.endsWith('.gz') ? gzipSync(text, { level: 9 }) : Buffer.from(text);
  writeFileSync(file, bytes);
  console.log(`wrote ${path} (${bytes.length.toLocaleString('en-US')} bytes)`);
}

main().catch((err: unknown) => {
  console.error(`build-snapshots: ${err instanceof UserError ? err.message : (err as Error).stack}`);
  process.exitCode = 1;
});
