// Popular names for the typosquat tests and benchmark: the bundled download snapshots through
// src/sources/snapshot.ts when they exist, otherwise the raw research data in /work/shared/data.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Ecosystem } from '../../src/names/index.js';
import { defaultSnapshotFile, loadDownloadSnapshot } from '../../src/sources/snapshot.js';
import { loadPopularExclusions } from '../../src/sources/popular-exclusions.js';

export interface Downloads {
  name: string;
  downloads: number;
}

/** The popular sets: npm names above 1M downloads a month, the PyPI top 15,000. */
export const NPM_POPULAR_FLOOR = 1_000_000;
export const PYPI_POPULAR_COUNT = 15_000;

const RAW_DATA = '/work/shared/data';

const cache = new Map<Ecosystem, Downloads[]>();

/** Every package the data lists, most downloaded first. */
export function allDownloads(ecosystem: Ecosystem): Downloads[] {
  let list = cache.get(ecosystem);
  if (!list) {
    list = existsSync(defaultSnapshotFile(ecosystem)) ? readSnapshot(ecosystem) : readRaw(ecosystem);
    list.sort((a, b) => b.downloads - a.downloads);
    cache.set(ecosystem, list);
  }
  return list;
}

export function popularPackages(ecosystem: Ecosystem): Downloads[] {
  const all = allDownloads(ecosystem);
  return ecosystem === 'npm' ? all.filter((entry) => entry.downloads >= NPM_POPULAR_FLOOR) : all.slice(0, PYPI_POPULAR_COUNT);
}

export function popularExclusions(ecosystem: Ecosystem): ReadonlySet<string> {
  return loadPopularExclusions()[ecosystem];
}

function readSnapshot(ecosystem: Ecosystem): Downloads[] {
  try {
    return loadDownloadSnapshot(ecosystem).mostDownloaded();
  } catch (err) {
    if (!existsSync(RAW_DATA)) throw err;
    console.warn(`(using ${RAW_DATA}: ${(err as Error).message})`);
    return readRaw(ecosystem);
  }
}

function readRaw(ecosystem: Ecosystem): Downloads[] {
  if (ecosystem === 'npm') {
    const text = gunzipSync(readFileSync(`${RAW_DATA}/npm-downloads.tsv.gz`)).toString('utf8');
    return text
      .split('\n')
      .slice(1)
      .filter((line) => line.includes('\t'))
      .map((line) => {
        const [name, downloads] = line.split('\t');
        return { name: name!, downloads: Number(downloads) };
      });
  }
  const json = JSON.parse(readFileSync(`${RAW_DATA}/top-pypi-packages.min.json`, 'utf8')) as {
    rows: { project: string; download_count: number }[];
  };
  return json.rows.map((row) => ({ name: row.project, downloads: row.download_count }));
}
