// Hugging Face models through the air gap: `depfence models lock` pins two repos from the fixture
// Hub, `depfence mirror --from models.lock` carries their files through the firewall's /-/hf/
// mount (policy applied, every file checked against the lock), `depfence import` verifies them,
// and with the Hub stopped `serve --offline` serves them on /-/hf/ to the real @huggingface/hub
// client and to plain HTTP as huggingface_hub does it. The slow steps run once, in `before`.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readManifestOnly } from '../../src/mirror/bundle-read.js';
import { parseManifest, type BundleManifest } from '../../src/protocol/bundle/manifest.js';
import { writeBundle } from '../../src/mirror/bundle-write.js';
import { OfflineStore } from '../../src/sources/offline-store/store.js';
import { HfUpstream, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors, pythonModelFile } from '../fixtures/model-files.js';
import { downloadFile, fileDownloadInfo, modelInfo } from '@huggingface/hub';
import { isolatedEnv, runCliInProcess, type CliResult } from '../helpers/cli.js';
import type { TestFirewall } from '../helpers/firewall.js';
import { huggingfaceHubAvailable, runHfPython } from '../helpers/hf-python.js';
import { startOfflineServer, treeFingerprint } from './helpers.js';

const test = suite('mirror/models');
const weights = buildSafetensors([{ name: 'w', shape: [64, 64] }]);

let hub: HfUpstream;
let scratch: string;
let dataDir: string;
const repos: Record<string, HfFixtureRepo> = {};
const runs: Record<string, CliResult> = {};
let manifest: BundleManifest;
let offline: TestFirewall;
let hubUrl: string;
const get = (path: string, init: RequestInit = {}) => fetch(`${offline.url}/-/hf/${path}`, { redirect: 'manual', ...init });
const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

test.before(async () => {
  hub = await HfUpstream.start();
  repos.bert = hub.addRepo({
    id: 'acme/bert',
    files: {
      'config.json': '{"model_type":"bert"}',
      'model.safetensors': weights,
      'pytorch_model.bin': pythonModelFile('clean.pt'),
      'arrays/vocab.npz': pythonModelFile('clean.npz'),
    },
  });
  repos.mixed = hub.addRepo({
    id: 'acme/mixed',
    lfs: ['model.safetensors', 'pytorch_model.bin', 'extras.npz'],
    files: {
      'README.md': '# mixed',
      'model.safetensors': weights,
      'pytorch_model.bin': pythonModelFile('system-p2.bin'),
      'extras.npz': pythonModelFile('payload.npz'),
    },
  });
  repos.corpus = hub.addRepo({
    id: 'acme/corpus',
    kind: 'dataset',
    lfs: ['train.npy'],
    files: { 'README.md': '# corpus', 'train.npy': pythonModelFile('numeric.npy') },
  });
  scratch = mkdtempSync(join(tmpdir(), 'depfence-mirror-models-'));
  dataDir = join(scratch, 'offline-data');
  const config = join(scratch, 'depfence.yaml');
  writeFileSync(
    config,
    `upstreams:\n  huggingface: { endpoint: "${hub.url}", files: ["${hub.cdn.url}"] }\nnetwork: { timeout: 5s, retries: 1 }\n`,
  );
  const env = isolatedEnv();
  const cli = (args: string[]) => runCliInProcess([...args, '--config', config], { env, cwd: scratch });

  runs.lock = await cli(['models', 'lock', '--out', 'models.lock', 'acme/bert', 'acme/mixed@main', 'datasets/acme/corpus']);
  const lock = JSON.parse(readFileSync(join(scratch, 'models.lock'), 'utf8')) as {
    repos: { id: string; files: { path: string; sha256?: string }[] }[];
  };
  lock.repos.find((repo) => repo.id === 'acme/bert')!.files.find((file) => file.path === 'model.safetensors')!.sha256 = 'ab'.repeat(32);
  writeFileSync(join(scratch, 'altered.lock'), JSON.stringify(lock));

  [runs.denied, runs.skipped, runs.altered] = await Promise.all([
    cli(['mirror', '--out', 'denied.tgz', '--from', 'models.lock']),
    cli(['mirror', '--out', 'models.tgz', '--from', 'models.lock', '--skip-denied']),
    cli(['mirror', '--out', 'altered.tgz', '--from', 'altered.lock', '--skip-denied']),
  ]);
  runs.list = await cli(['mirror', '--list', 'models.tgz']);
  runs.import = await cli(['import', 'models.tgz', '--data-dir', dataDir]);
  const before = treeFingerprint(dataDir);
  runs.reimport = await cli(['import', 'models.tgz', '--data-dir', dataDir]);
  runs.fingerprints = { code: before === treeFingerprint(dataDir) ? 0 : 1, stdout: '', stderr: '' };
  manifest = await readManifestOnly(join(scratch, 'models.tgz'));

  // From here on there is no Hub at all.
  await hub.close();
  offline = await startOfflineServer(dataDir);
  hubUrl = `${offline.url}/-/hf`;
});

test.after(async () => {
  await offline?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('models lock pins both repos', () => {
  assert.is(runs.lock!.code, 0, runs.lock!.stdout + runs.lock!.stderr);
  assert.match(runs.lock!.stdout, /locked acme\/bert at [0-9a-f]{40} \(4 files\)/);
});

test("mirror --from models.lock: a denied file fails the run with the firewall's reasons, and no bundle is written", () => {
  assert.is(runs.denied!.code, 1, runs.denied!.stderr);
  assert.match(runs.denied!.stderr, /2 package\(s\) or model file\(s\) denied/);
  assert.match(
    runs.denied!.stderr,
    new RegExp(`huggingface:acme/mixed@${repos.mixed!.commit} pytorch_model\\.bin: pickle: .*imports posix\\.system`),
  );
  assert.match(
    runs.denied!.stderr,
    /huggingface:acme\/mixed@[0-9a-f]{40} extras\.npz: pickle: .*object array|extras\.npz: pickle: .*posix\.system/,
  );
  assert.not.ok(existsSync(join(scratch, 'denied.tgz')));
});

test('mirror --skip-denied: the allowed files of both repos are bundled with their hashes; the denied ones are listed with why', () => {
  assert.is(runs.skipped!.code, 0, runs.skipped!.stderr);
  assert.match(runs.skipped!.stdout, /8 model files of 3 Hugging Face repos/);
  assert.match(runs.skipped!.stdout, /skipped \(denied\) huggingface:acme\/mixed@[0-9a-f]{40} pytorch_model\.bin: pickle: /);
  const models = manifest.models!;
  assert.equal(models.map((repo) => `${repo.kind}:${repo.id}@${repo.commit}`).sort(), [
    `dataset:acme/corpus@${repos.corpus!.commit}`,
    `model:acme/bert@${repos.bert!.commit}`,
    `model:acme/mixed@${repos.mixed!.commit}`,
  ]);
  const bert = models.find((repo) => repo.id === 'acme/bert')!;
  assert.equal(bert.files.map((file) => file.path).sort(), ['arrays/vocab.npz', 'config.json', 'model.safetensors', 'pytorch_model.bin']);
  for (const file of bert.files) {
    const fixture = repos.bert!.files.get(file.path)!;
    assert.is(file.sha256, fixture.sha256, file.path);
    assert.is(file.size, fixture.content.length);
    assert.is(file.blobId, fixture.blobId);
    assert.is(file.lfsSha256, fixture.lfs ? fixture.sha256 : null);
  }
  assert.equal(
    models
      .find((repo) => repo.id === 'acme/mixed')!
      .files.map((file) => file.path)
      .sort(),
    ['README.md', 'model.safetensors'],
  );
  assert.equal(manifest.skipped.map((entry) => `${entry.ecosystem}:${entry.name} ${entry.file}`).sort(), [
    'huggingface:acme/mixed extras.npz',
    'huggingface:acme/mixed pytorch_model.bin',
  ]);
  assert.is(bert.info.sha, repos.bert!.commit);
  assert.is(bert.decision.decision, 'allow');
});

test('a file whose bytes are not what the lock pins fails the run, --skip-denied or not', () => {
  assert.is(runs.altered!.code, 1);
  assert.match(
    runs.altered!.stderr,
    /acme\/bert\/model\.safetensors at [0-9a-f]{40} as fetched has sha256 [0-9a-f]{64}, not abab.* as the models lock pins/,
  );
});

test('mirror --list shows each model file; import verifies and stores them, and a second import changes nothing', () => {
  assert.match(runs.list!.stdout, /hf {4}acme\/bert@[0-9a-f]{12} +ALLOW .* model\.safetensors/);
  assert.match(runs.list!.stdout, /hf {4}acme\/mixed [0-9a-f]{12} +SKIPPED +pytorch_model\.bin: pickle:/);
  assert.is(runs.import!.code, 0, runs.import!.stderr);
  assert.match(runs.import!.stdout, /8 new model files of 3 Hugging Face repos/);
  assert.is(runs.reimport!.code, 0);
  assert.match(runs.reimport!.stdout, /nothing changed/);
  assert.is(runs.fingerprints!.code, 0, 'the store is unchanged');
});

test('serve --offline: model information from the bundle, at the mirrored commit, listing the files it carries with their LFS sha256', async () => {
  for (const path of [
    'api/models/acme/bert',
    `api/models/acme/bert/revision/main`,
    `api/models/acme/bert/revision/${repos.bert!.commit}`,
  ]) {
    const response = await get(path);
    assert.is(response.status, 200, path);
    assert.is(response.headers.get('x-repo-commit'), repos.bert!.commit);
    const body = (await response.json()) as {
      sha: string;
      siblings: { rfilename: string; blobId: string; lfs?: { sha256: string; size: number } }[];
    };
    assert.is(body.sha, repos.bert!.commit);
    const safetensors = body.siblings.find((sibling) => sibling.rfilename === 'model.safetensors')!;
    assert.equal(safetensors.lfs && [safetensors.lfs.sha256, safetensors.lfs.size], [
      repos.bert!.files.get('model.safetensors')!.sha256,
      weights.length,
    ]);
  }
  const mixed = (await (await get('api/models/acme/mixed')).json()) as { siblings: { rfilename: string }[] };
  assert.equal(
    mixed.siblings.map((sibling) => sibling.rfilename).sort(),
    ['README.md', 'model.safetensors'],
    'only what the bundle carries',
  );
});

test('serve --offline: HEAD and ranged GET as huggingface_hub does them, with the Hub headers', async () => {
  const { commit } = repos.bert!;
  const file = repos.bert!.files.get('model.safetensors')!;
  const head = await get('acme/bert/resolve/main/model.safetensors', { method: 'HEAD' });
  assert.is(head.status, 302);
  assert.is(head.headers.get('location'), `/-/hf/acme/bert/resolve/${commit}/model.safetensors`);
  assert.is(head.headers.get('x-repo-commit'), commit);
  assert.is(head.headers.get('x-linked-etag'), `"${file.sha256}"`);
  assert.is(head.headers.get('x-linked-size'), String(weights.length));
  const atCommit = await get(`acme/bert/resolve/${commit}/model.safetensors`, { method: 'HEAD' });
  assert.is(atCommit.status, 200);
  assert.is(atCommit.headers.get('etag'), `"${file.sha256}"`);
  assert.is(atCommit.headers.get('content-length'), String(weights.length));
  const resumed = await get(`acme/bert/resolve/${commit}/model.safetensors`, { headers: { range: 'bytes=100-' } });
  assert.is(resumed.status, 206, resumed.status === 206 ? '' : await resumed.text());
  assert.is(resumed.headers.get('content-range'), `bytes 100-${weights.length - 1}/${weights.length}`);
  assert.ok(Buffer.from(await resumed.arrayBuffer()).equals(weights.subarray(100)));
  const config = await get(`acme/bert/resolve/${commit}/config.json`);
  assert.is(config.headers.get('etag'), `"${repos.bert!.files.get('config.json')!.blobId}"`, 'a git file: its blob id');
  assert.is(await config.text(), '{"model_type":"bert"}');
  const npz = await get(`acme/bert/resolve/${commit}/arrays/vocab.npz`);
  assert.is(npz.status, 200);
  assert.ok(Buffer.from(await npz.arrayBuffer()).equals(pythonModelFile('clean.npz')));
});

test('serve --offline: a dataset from the bundle, by its own routes', async () => {
  const info = await get('api/datasets/acme/corpus');
  assert.is(info.status, 200);
  assert.is(((await info.json()) as { sha: string }).sha, repos.corpus!.commit);
  const file = await fetch(`${hubUrl}/datasets/acme/corpus/resolve/main/train.npy`);
  assert.is(file.status, 200);
  assert.is(file.headers.get('x-repo-commit'), repos.corpus!.commit);
  assert.ok(Buffer.from(await file.arrayBuffer()).equals(pythonModelFile('numeric.npy')));
});

test('serve --offline: the real @huggingface/hub client downloads and reads model info from the bundle', async () => {
  const blob = await downloadFile({ repo: 'acme/bert', path: 'model.safetensors', hubUrl });
  assert.ok(blob && Buffer.from(await blob.arrayBuffer()).equals(weights));
  const bin = await downloadFile({ repo: 'acme/bert', path: 'pytorch_model.bin', hubUrl });
  assert.ok(bin && Buffer.from(await bin.arrayBuffer()).equals(pythonModelFile('clean.pt')));
  const info = await fileDownloadInfo({ repo: 'acme/bert', path: 'config.json', hubUrl });
  assert.match(info?.url ?? '', new RegExp(`/-/hf/acme/bert/resolve/${repos.bert!.commit}/config.json$`));
  const model = await modelInfo({ name: 'acme/bert', hubUrl });
  assert.is(model.name, 'acme/bert');
  assert.is(
    await downloadFile({ repo: 'acme/mixed', path: 'pytorch_model.bin', hubUrl }),
    null,
    'a file the bundle left out is EntryNotFound to the client',
  );
});

test('serve --offline: anything not in the bundle is a 404 saying so; the policy still runs', async () => {
  const repo = await get('api/models/acme/absent');
  assert.is(repo.status, 404);
  assert.is(repo.headers.get('x-error-code'), 'RepoNotFound');
  assert.match(await errorOf(repo), /the model acme\/absent is not in the vetted mirror: depfence runs offline/);
  const file = await get(`acme/mixed/resolve/${repos.mixed!.commit}/pytorch_model.bin`);
  assert.is(file.status, 404);
  assert.is(file.headers.get('x-error-code'), 'EntryNotFound');
  assert.match(
    await errorOf(file),
    /pytorch_model\.bin of acme\/mixed at [0-9a-f]{40} is not in the vetted mirror: .*; depfence mirror left it out: pickle: .*posix\.system/,
  );
  const commit = await get(`acme/bert/resolve/${'0'.repeat(40)}/config.json`);
  assert.is(commit.status, 404);
  assert.is(commit.headers.get('x-error-code'), 'RevisionNotFound');
  assert.match(await errorOf(commit), new RegExp(`the mirror holds ${repos.bert!.commit}`));
  assert.is((await get('api/datasets/acme/bert')).status, 404, 'a dataset is not the model of the same name');
  assert.is((await get('api/models/acme/corpus')).status, 404, 'nor a model the dataset of the same name');
});

test('serve --offline: the policy of the offline server applies: a deny entry and pickle: deny added after the bundle was made', async () => {
  const strict = await startOfflineServer(dataDir, (config) => {
    config.deny = [{ ecosystem: 'huggingface', name: 'acme/mixed', reason: 'withdrawn after review' }];
    config.policy.models.pickle = 'deny';
  });
  const at = (path: string) => fetch(`${strict.url}/-/hf/${path}`);
  try {
    const denied = await at(`acme/mixed/resolve/${repos.mixed!.commit}/model.safetensors`);
    assert.is(denied.status, 403);
    assert.match(await errorOf(denied), /withdrawn after review/);
    const pickle = await at(`acme/bert/resolve/main/pytorch_model.bin`);
    assert.is(pickle.status, 403);
    assert.match(await errorOf(pickle), /pickle-based .*policy\.models\.pickle is deny/);
    assert.is((await at('acme/bert/resolve/main/model.safetensors')).status, 200);
  } finally {
    await strict.close();
  }
});

(huggingfaceHubAvailable('the offline huggingface_hub test') ? test : test.skip.bind(test))(
  'serve --offline: huggingface_hub snapshot_download gets the bundled files at the mirrored commit',
  async () => {
    const run = await runHfPython(
      'from huggingface_hub import snapshot_download\nprint(snapshot_download("acme/mixed"))',
      hubUrl,
      join(scratch, 'hf-cache'),
    );
    assert.is(run.status, 0, run.stderr);
    const snapshot = run.stdout.trim().split('\n').at(-1)!;
    assert.match(snapshot, new RegExp(`snapshots/${repos.mixed!.commit}$`));
    assert.ok(readFileSync(join(snapshot, 'model.safetensors')).equals(weights));
    assert.is(readFileSync(join(snapshot, 'README.md'), 'utf8'), '# mixed');
  },
);

test('import verifies model files: a changed byte is refused; so are file hashes or paths the repo information does not back', async () => {
  const store = new OfflineStore(dataDir);
  const sources = new Map(
    manifest.models!.flatMap((repo) => repo.files.map((file) => [file.sha256, store.blob(file.sha256)!.path] as const)),
  );
  const target = manifest.models!.find((repo) => repo.id === 'acme/bert')!.files.find((file) => file.path === 'model.safetensors')!;
  const changed = Buffer.from(weights);
  changed.writeUInt8(changed.readUInt8(changed.length - 1) ^ 1, changed.length - 1);
  writeFileSync(join(scratch, 'changed-weights'), changed);
  sources.set(target.sha256, join(scratch, 'changed-weights'));
  await writeBundle(join(scratch, 'changed.tgz'), manifest, sources);
  const otherData = join(scratch, 'other-data');
  const refused = await runCliInProcess(['import', join(scratch, 'changed.tgz'), '--data-dir', otherData], {
    env: isolatedEnv(),
    cwd: scratch,
  });
  assert.is(refused.code, 1);
  assert.match(
    refused.stderr,
    new RegExp(`artifacts/${target.sha256}" is refused: its sha256 is [0-9a-f]{64}, the manifest says ${target.sha256}`),
  );

  const altered = (change: (copy: BundleManifest) => void) => {
    const copy = structuredClone(manifest);
    change(copy);
    return () => parseManifest(JSON.stringify(copy));
  };
  assert.throws(
    altered((copy) => (copy.models![0]!.files[0]!.lfsSha256 = 'cd'.repeat(32))),
    /hashes its repo information does not give/,
  );
  assert.throws(
    altered((copy) => (copy.models![0]!.files[0]!.path = '../escape')),
    /repo file path/,
  );
  assert.throws(
    altered((copy) => (copy.models![0]!.commit = 'e'.repeat(40))),
    /information for [0-9a-f]{40}/,
  );
  assert.throws(
    altered((copy) => (copy.models![0]!.id = 'acme/../x')),
    /repo id/,
  );
});

test.run();
