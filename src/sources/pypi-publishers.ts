// Who published a PyPI release, read from its files' PEP 740 provenance (the simple page's
// `provenance` URLs, PyPI's Integrity API): the Trusted Publisher (repository and workflow) PyPI
// verified on upload. The JSON API names no uploader per release and its `ownership` roles say who
// may publish now, not who published what, so provenance is the only per-release record there is.
//
// One document per file costs a request, so only what a judgement needs is read: the releases
// asked about (`targets`) and, below each, the few releases with provenance before it, a few files
// of each. Provenance is fetched only from the simple index's own origin (PyPI serves both); a
// document that cannot be had or read leaves that file's publisher unknown (the signal it feeds
// only warns, and decides nothing when the earlier publishers are unknown).
import * as pep440 from '@renovatebot/pep440';
import { identifyFile } from '../protocol/pypi/filenames.js';
import type { ProjectPage } from '../protocol/pypi/model.js';
import { provenancePublishers } from '../protocol/pypi/provenance.js';
import type { ReleaseHistory } from '../policy/types.js';
import type { HttpClient } from './http.js';
import { pypiPageHistory } from './release-history.js';
import type { UpstreamLabel } from './upstream-error.js';

/** Earlier releases with provenance read below each release asked about. */
const EARLIER_RELEASES = 3;
/** Files of one release whose provenance is read. */
const FILES_PER_RELEASE = 2;
/** Provenance documents do not change once a file is uploaded. */
const PROVENANCE_TTL_MS = 7 * 86_400_000;

const INTEGRITY_API: UpstreamLabel = { name: 'PyPI Integrity API (PEP 740 provenance)', setting: 'upstreams.pypi.simple' };
const ACCEPT = 'application/vnd.pypi.integrity.v1+json, application/json;q=0.9';

/** File name → the publishers its provenance names, for the files read. */
export async function fetchPublishers(
  http: HttpClient,
  name: string,
  page: ProjectPage,
  targets: Iterable<string>,
  simpleUrl: string,
): Promise<Map<string, string[]>> {
  const origin = new URL(simpleUrl).origin;
  const byVersion = new Map<string, string[]>();
  for (const file of page.files) {
    const identity = identifyFile(name, file.filename);
    if (typeof identity === 'string' || typeof file.provenance !== 'string' || !sameOrigin(file.provenance, origin)) continue;
    const list = byVersion.get(identity.version) ?? [];
    list.push(file.filename);
    byVersion.set(identity.version, list);
  }
  const attested = [...byVersion.keys()].filter((version) => pep440.valid(version) !== null).sort(pep440.compare);
  const chosen = new Set<string>();
  for (const target of targets) {
    if (byVersion.has(target)) chosen.add(target);
    const below = attested.filter((version) => pep440.compare(version, target) < 0);
    for (const version of below.slice(-EARLIER_RELEASES)) chosen.add(version);
  }
  const urls = new Map(page.files.map((file) => [file.filename, file.provenance]));
  const files = [...chosen].flatMap((version) => byVersion.get(version)!.sort().slice(0, FILES_PER_RELEASE));
  const read = await Promise.all(
    files.map(async (filename): Promise<[string, string[]] | null> => {
      try {
        const answer = await http.getJson(urls.get(filename)!, {
          accept: ACCEPT,
          upstream: INTEGRITY_API,
          ttlMs: PROVENANCE_TTL_MS,
          validate: provenancePublishers,
        });
        return answer.body === null ? null : [filename, answer.body];
      } catch {
        return null;
      }
    }),
  );
  return new Map(read.filter((entry): entry is [string, string[]] => entry !== null));
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/**
 * A project page's release history with the publishers of the releases `targets` picks (from the
 * history without them: e.g. the young releases, or the one release asked about) and of the few
 * attested releases below each.
 */
export async function pageHistoryWithPublishers(
  http: HttpClient,
  name: string,
  page: ProjectPage,
  simpleUrl: string,
  targets: (history: ReleaseHistory) => Iterable<string>,
): Promise<ReleaseHistory> {
  const plain = pypiPageHistory(name, page.files);
  const chosen = [...targets(plain)];
  if (chosen.length === 0) return plain;
  return pypiPageHistory(name, page.files, await fetchPublishers(http, name, page, chosen, simpleUrl));
}
