// The Hugging Face half of a mirror: each repo of the models.lock at its locked commit, fetched
// through the firewall's /-/hf/ mount exactly as a client would (so the repo passes the model
// policy and every file is checked against the Hub's listing and inspected there), then each
// file's bytes checked once more here against the lock (size, and sha256 or git blob id). A
// file the firewall refuses is reported with the firewall's reasons and not bundled.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { deniedOnlyForMissingFacts, type Decision } from '../policy/index.js';
import { evaluateRepo, type ModelPolicyContext } from '../policy/models/index.js';
import { repoInfoOf } from '../sources/hf-metadata.js';
import type { ModelFileRecord, ModelRepoRecord } from '../protocol/bundle/manifest.js';
import { repoInfoDocument, type RepoInfoDocument } from '../protocol/huggingface/repo-info.js';
import type { LockDocument } from '../sources/model-lock.js';
import { streamToFile } from '../sources/stream-to-file.js';
import { MirrorError } from '../sources/offline-store/errors.js';
import type { Denial } from './collect.js';
import type { MirrorFirewall } from './firewall.js';
import type { Progress } from './progress.js';
import { denialReasons } from './vetting.js';

type LockedRepoEntry = LockDocument['repos'][number];

export interface ModelCollection {
  models: ModelRepoRecord[];
  /** sha256 → a verified file holding those bytes. */
  files: Map<string, string>;
  denials: Denial[];
}

export interface ModelCollectOptions {
  firewall: MirrorFirewall;
  /** The policy the firewall applies, to record the repo decision (with its warnings) in the manifest. */
  policy: ModelPolicyContext;
  repos: LockedRepoEntry[];
  workDir: string;
  now: Date;
  progress: Progress;
}

export async function collectModels({ firewall, policy, repos, workDir, now, progress }: ModelCollectOptions): Promise<ModelCollection> {
  const collection: ModelCollection = { models: [], files: new Map(), denials: [] };
  const dir = join(workDir, 'model-files');
  await mkdir(dir, { recursive: true });
  let fetchedFiles = 0;
  progress.start(
    repos.reduce((sum, repo) => sum + repo.files.length, 0),
    'collecting model files',
  );
  for (const locked of repos) {
    const name = repoName(locked);
    const info = await fetchInfo(firewall.url, locked);
    if ('denial' in info) {
      collection.denials.push(info.denial);
      locked.files.forEach((file) => progress.tick(`${name}/${file.path} (denied)`));
      continue;
    }
    const files: ModelFileRecord[] = [];
    for (const lockedFile of locked.files) {
      const listed = info.document.siblings.find((sibling) => sibling.rfilename === lockedFile.path);
      if (!listed)
        throw new MirrorError(
          'ERESOLVE',
          `${name} at ${locked.commit} has no file ${lockedFile.path}, which the models lock lists; rewrite the lock with depfence models lock`,
        );
      const fetched = await fetchFile(firewall.url, locked, lockedFile, join(dir, String(fetchedFiles++)));
      if ('denial' in fetched) {
        collection.denials.push(fetched.denial);
        progress.tick(`${name}/${lockedFile.path} (denied)`);
        continue;
      }
      collection.files.set(fetched.sha256, fetched.path);
      files.push({
        path: lockedFile.path,
        size: lockedFile.size,
        sha256: fetched.sha256,
        lfsSha256: listed.lfs?.sha256 ?? null,
        blobId: listed.blobId ?? null,
      });
      progress.tick(`${name}/${lockedFile.path}`);
    }
    const decision = evaluateRepo(
      {
        kind: locked.kind,
        id: locked.id,
        info: { state: 'known', value: repoInfoOf(info.document), source: 'the Hub, through the mirror firewall' },
      },
      policy,
      now,
    );
    collection.models.push({
      kind: locked.kind,
      id: locked.id,
      commit: locked.commit,
      recordedAt: now.toISOString(),
      info: info.document,
      decision,
      files,
    });
  }
  progress.stop();
  return collection;
}

function repoName(locked: LockedRepoEntry): string {
  return `${locked.kind === 'dataset' ? 'datasets/' : ''}${locked.id}`;
}

function encodedPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The repo information at the locked commit, through the firewall (which applies the repo checks). */
async function fetchInfo(firewallUrl: string, locked: LockedRepoEntry): Promise<{ document: RepoInfoDocument } | { denial: Denial }> {
  const url = `${firewallUrl}/-/hf/api/${locked.kind}s/${locked.id}/revision/${locked.commit}`;
  const answer = await fetch(url, { headers: { 'user-agent': 'depfence-mirror' } });
  const text = await answer.text();
  if (answer.status === 403) return { denial: denialOf(locked, null, text) };
  if (answer.status !== 200) throw firewallFailure(answer.status, `the repo information of ${repoName(locked)} at ${locked.commit}`, text);
  const parsed = repoInfoDocument.safeParse(parseJson(text));
  if (!parsed.success || parsed.data.sha !== locked.commit)
    throw new MirrorError(
      'ERESOLVE',
      `the firewall's repo information for ${repoName(locked)} is not for the locked commit ${locked.commit}`,
    );
  return { document: parsed.data };
}

async function fetchFile(
  firewallUrl: string,
  locked: LockedRepoEntry,
  lockedFile: LockedRepoEntry['files'][number],
  path: string,
): Promise<{ sha256: string; path: string } | { denial: Denial }> {
  const what = `${repoName(locked)}/${lockedFile.path} at ${locked.commit}`;
  const url = `${firewallUrl}/-/hf/${repoName(locked)}/resolve/${locked.commit}/${encodedPath(lockedFile.path)}`;
  const answer = await fetch(url, { headers: { 'user-agent': 'depfence-mirror' } });
  if (answer.status === 403) return { denial: denialOf(locked, lockedFile.path, await answer.text()) };
  if (answer.status !== 200 || !answer.body) throw firewallFailure(answer.status, what, await answer.text());
  const sha256 = createHash('sha256');
  const gitBlob = createHash('sha1').update(`blob ${lockedFile.size}\0`);
  const tooLarge = () =>
    new MirrorError('ERESOLVE', `${what} is larger than the ${lockedFile.size} bytes the models lock gives; it is not mirrored`);
  const size = await streamToFile(Readable.fromWeb(answer.body), path, {
    maxBytes: lockedFile.size,
    tooLarge,
    onChunk: (chunk) => {
      sha256.update(chunk);
      gitBlob.update(chunk);
    },
  });
  const digest = sha256.digest('hex');
  const mismatch = lockMismatch(lockedFile, size, digest, gitBlob.digest('hex'));
  if (mismatch)
    throw new MirrorError(
      'ERESOLVE',
      `${what} as fetched has ${mismatch} as the models lock pins; it is not mirrored (the lock or the Hub changed: review and rewrite the lock with depfence models lock)`,
    );
  return { sha256: digest, path };
}

/** How the fetched bytes differ from what the lock pins (sha256 for LFS files, else the git blob id), or null. */
function lockMismatch(lockedFile: LockedRepoEntry['files'][number], size: number, sha256: string, gitBlob: string): string | null {
  if (size !== lockedFile.size) return `${size} bytes, not ${lockedFile.size}`;
  if (lockedFile.sha256) return sha256 === lockedFile.sha256 ? null : `sha256 ${sha256}, not ${lockedFile.sha256}`;
  return gitBlob === lockedFile.gitBlob ? null : `git blob id ${gitBlob}, not ${lockedFile.gitBlob}`;
}

/** The firewall's error answer (`{"error", "decision"}`), or its text when it is not that. */
function firewallAnswer(body: string): { message: string; decision?: Decision } {
  const parsed = parseJson(body) as { error?: unknown; decision?: Decision } | null;
  if (typeof parsed?.error !== 'string') return { message: body.slice(0, 500) };
  return { message: parsed.error, ...(parsed.decision && { decision: parsed.decision }) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A refusal from the firewall: its decision's reasons (or its message). */
function denialOf(locked: LockedRepoEntry, file: string | null, body: string): Denial {
  const { message, decision } = firewallAnswer(body);
  const reasons = decision ? denialReasons(decision) : [message];
  return {
    ecosystem: 'huggingface',
    name: repoName(locked),
    version: locked.commit,
    ...(file !== null && { file }),
    reasons: reasons.length > 0 ? reasons : [message],
    factsUnavailable: decision ? deniedOnlyForMissingFacts(decision) : false,
  };
}

function firewallFailure(status: number, what: string, body: string): MirrorError {
  return new MirrorError(
    status === 503 ? 'EFACTS' : 'ERESOLVE',
    `the firewall answered HTTP ${status} for ${what}: ${firewallAnswer(body).message}`,
  );
}
