// The Hugging Face endpoint end to end: a fixture Hub and CDN, the firewall's /-/hf/ mount, and the
// two ways clients download: the real @huggingface/hub client, and plain HTTP as huggingface_hub
// does it (HEAD without following absolute redirects, then GET with Range to resume).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import cacache from 'cacache';
import { request } from 'node:http';
import { join } from 'node:path';
import { downloadFile, fileDownloadInfo, modelInfo } from '@huggingface/hub';
import { HfUpstream, daysAgo, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors, pythonModelFile } from '../fixtures/model-files.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';

let hub: HfUpstream;
let firewall: TestFirewall;
let endpoint: string;
const repos: Record<string, HfFixtureRepo> = {};
const weights = buildSafetensors([
  { name: 'embeddings', shape: [64, 32] },
  { name: 'bias', shape: [32] },
]);

test.before(async () => {
  hub = await HfUpstream.start();
  const add = (key: string, spec: Parameters<HfUpstream['addRepo']>[0]) => (repos[key] = hub.addRepo(spec));
  add('safe', {
    id: 'acme/safe-model',
    files: { 'config.json': '{"model_type":"bert"}', 'model.safetensors': weights, 'README.md': '# safe' },
  });
  add('pickle', { id: 'acme/pickle-payload', files: { 'config.json': '{}', 'pytorch_model.bin': pythonModelFile('system-p2.bin') } });
  add('torchClean', { id: 'acme/torch-clean', files: { 'config.json': '{}', 'pytorch_model.bin': pythonModelFile('clean.pt') } });
  add('torchPayload', { id: 'acme/torch-payload', files: { 'config.json': '{}', 'pytorch_model.bin': pythonModelFile('payload.pt') } });
  add('remote', {
    id: 'acme/remote-code',
    config: { model_type: 'acme', auto_map: { AutoModel: 'modeling_acme.AcmeModel' } },
    files: { 'config.json': '{"auto_map":{}}', 'modeling_acme.py': 'import os' },
  });
  add('hiddenAutoMap', {
    id: 'acme/hidden-auto-map',
    files: { 'config.json': '{"auto_map":{"AutoModel":"x.Y"}}', 'model.safetensors': weights },
  });
  add('fresh', { id: 'acme/fresh-model', createdAt: daysAgo(7), files: { 'model.safetensors': weights } });
  add('lookalike', { id: 'meta-1lama/Llama-3-8B', files: { 'model.safetensors': weights } });
  add('tampered', { id: 'acme/tampered', files: { 'model.safetensors': buildSafetensors([{ name: 'w', shape: [64] }], 0x41) } });
  add('gated', { id: 'acme/gated', gated: 'manual', files: { 'model.safetensors': weights } });
  add('unpopular', { id: 'acme/unpopular', downloads: 5, files: { 'model.safetensors': weights } });
  add('dataset', { id: 'acme/corpus', kind: 'dataset', files: { 'data/train.jsonl': '{"text":"hi"}\n' } });
  hub.tamper('acme/tampered', 'model.safetensors', buildSafetensors([{ name: 'w', shape: [64] }], 0x40));
  firewall = await startFirewall({ hub, mounts: 'hf' });
  endpoint = `${firewall.url}/-/hf`;
});

test.after(async () => {
  await firewall?.close();
  await hub?.close();
});

const get = (path: string, init: RequestInit = {}) => fetch(`${endpoint}/${path}`, { redirect: 'manual', ...init });
const rawStatus = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const { port } = new URL(firewall.url);
    request({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;
const cached = async () => Object.keys(await cacache.ls(join(firewall.dataDir, 'cache', 'models')));

test('repo information passes for an established repo, resolved to its commit', async () => {
  const response = await get('api/models/acme/safe-model/revision/main');
  assert.is(response.status, 200);
  const body = (await response.json()) as { sha: string; siblings: { rfilename: string }[] };
  assert.is(body.sha, repos.safe!.commit);
  assert.is(response.headers.get('x-repo-commit'), repos.safe!.commit);
  assert.equal(body.siblings.map((s) => s.rfilename).sort(), ['README.md', 'config.json', 'model.safetensors']);
});

test('huggingface_hub: HEAD on a branch redirects to the commit on the firewall with the Hub headers; GET resumes with Range', async () => {
  const head = await get('acme/safe-model/resolve/main/model.safetensors', { method: 'HEAD' });
  assert.is(head.status, 302);
  const { commit } = repos.safe!;
  const sha256 = repos.safe!.files.get('model.safetensors')!.sha256;
  assert.is(head.headers.get('location'), `/-/hf/acme/safe-model/resolve/${commit}/model.safetensors`);
  assert.is(head.headers.get('x-repo-commit'), commit);
  assert.is(head.headers.get('x-linked-etag'), `"${sha256}"`);
  assert.is(head.headers.get('x-linked-size'), String(weights.length));
  // huggingface_hub follows a relative redirect on HEAD, then downloads from where it ended.
  const atCommit = await get(`acme/safe-model/resolve/${commit}/model.safetensors`, { method: 'HEAD' });
  assert.is(atCommit.status, 200);
  assert.is(atCommit.headers.get('etag'), `"${sha256}"`);
  assert.is(atCommit.headers.get('content-length'), String(weights.length));
  const resumed = await get(`acme/safe-model/resolve/${commit}/model.safetensors`, { headers: { range: 'bytes=100-' } });
  assert.is(resumed.status, 206, resumed.status === 206 ? '' : await resumed.text());
  assert.is(resumed.headers.get('content-range'), `bytes 100-${weights.length - 1}/${weights.length}`);
  assert.ok(Buffer.from(await resumed.arrayBuffer()).equals(weights.subarray(100)));
  const config = await get(`acme/safe-model/resolve/${commit}/config.json`);
  assert.is(config.headers.get('etag'), `"${repos.safe!.files.get('config.json')!.blobId}"`, 'a git file: its blob id, verified');
  assert.is(await config.text(), '{"model_type":"bert"}');
});

test('@huggingface/hub downloads through the firewall (hubUrl), and reads model info', async () => {
  const blob = await downloadFile({ repo: 'acme/safe-model', path: 'model.safetensors', hubUrl: endpoint });
  assert.ok(blob);
  assert.ok(Buffer.from(await blob.arrayBuffer()).equals(weights));
  const info = await fileDownloadInfo({ repo: 'acme/safe-model', path: 'config.json', hubUrl: endpoint });
  assert.match(
    info?.url ?? '',
    new RegExp(`/-/hf/acme/safe-model/resolve/${repos.safe!.commit}/config.json$`),
    'the file is fetched at the commit',
  );
  const model = await modelInfo({ name: 'acme/safe-model', hubUrl: endpoint });
  assert.is(model.name, 'acme/safe-model');
  assert.is(
    await downloadFile({ repo: 'acme/safe-model', path: 'missing.bin', hubUrl: endpoint }),
    null,
    'EntryNotFound is null to the client',
  );
});

test('a pickle calling os.system is refused with the reason, and never cached', async () => {
  const response = await get(`acme/pickle-payload/resolve/${repos.pickle!.commit}/pytorch_model.bin`);
  assert.is(response.status, 403);
  assert.match(await errorOf(response), /posix\.system.*weights_only.*ecosystem: huggingface, name: acme\/pickle-payload/);
  assert.match(response.headers.get('x-error-message') ?? '', /posix\.system/);
  const again = await get(`acme/pickle-payload/resolve/${repos.pickle!.commit}/pytorch_model.bin`);
  assert.is(again.status, 403);
  assert.is(
    hub.cdn.requestsTo(`/${repos.pickle!.files.get('pytorch_model.bin')!.sha256}`).length,
    1,
    'a refused file is remembered, not fetched again',
  );
  assert.not.ok((await cached()).some((key) => key.includes(repos.pickle!.files.get('pytorch_model.bin')!.sha256)));
  const denial = firewall.audit().find((record) => record.name === 'acme/pickle-payload' && record.decision === 'deny');
  assert.is(denial?.findings.find((finding) => finding.severity === 'deny')?.check, 'pickle');
  assert.is(denial?.subject, 'file pytorch_model.bin');
});

test('PyTorch zip checkpoints: tensor-rebuild globals only is served; a payload inside the zip is refused', async () => {
  const clean = await get(`acme/torch-clean/resolve/${repos.torchClean!.commit}/pytorch_model.bin`);
  assert.is(clean.status, 200);
  assert.ok(Buffer.from(await clean.arrayBuffer()).equals(pythonModelFile('clean.pt')));
  const payload = await get(`acme/torch-payload/resolve/main/pytorch_model.bin`, { redirect: 'follow' });
  assert.is(payload.status, 403);
  assert.match(await errorOf(payload), /archive\/data\.pkl.*builtins\.eval/);
});

test('remote code: an auto_map or *.py files refuse the repo; an auto_map found only in config.json too', async () => {
  const info = await get('api/models/acme/remote-code');
  assert.is(info.status, 403);
  assert.match(await errorOf(info), /trust_remote_code.*auto_map.*modeling_acme\.py/);
  const hidden = await get(`acme/hidden-auto-map/resolve/${repos.hiddenAutoMap!.commit}/config.json`);
  assert.is(hidden.status, 403);
  assert.match(await errorOf(hidden), /remote|auto_map/);
});

test('a week-old repo, a look-alike organisation, a gated repo and an unpopular one are refused with the reason', async () => {
  const cases: [string, RegExp][] = [
    ['api/models/acme/fresh-model', /created 1w ago; new repos are refused until they are 30d old/],
    ['api/models/meta-1lama/Llama-3-8B', /meta-1lama looks like meta-llama/],
    ['api/models/acme/gated', /gated on the Hub \(manual approval\)/],
    ['api/models/acme/unpopular', /5 downloads last month, below the floor of 100/],
  ];
  for (const [path, reason] of cases) {
    const response = await get(path);
    assert.is(response.status, 403, path);
    const error = await errorOf(response);
    assert.match(error, reason, error);
  }
  const head = await get('meta-1lama/Llama-3-8B/resolve/main/model.safetensors', { method: 'HEAD' });
  assert.is(head.status, 403, 'the file routes refuse the repo too');
});

test('a tampered LFS file is never served nor cached', async () => {
  const sha256 = repos.tampered!.files.get('model.safetensors')!.sha256;
  const response = await get(`acme/tampered/resolve/${repos.tampered!.commit}/model.safetensors`);
  assert.is(response.status, 403);
  assert.match(await errorOf(response), /has sha256 [0-9a-f]{64}, but the index lists/);
  assert.not.ok((await cached()).some((key) => key.includes(sha256)));
  const record = firewall.audit().find((entry) => entry.name === 'acme/tampered' && entry.decision === 'deny');
  assert.is(record?.findings.find((finding) => finding.severity === 'deny')?.check, 'integrity');
});

test('the tree listing (list_repo_tree, snapshot_download): files with blob ids and LFS sha256, folders, at the commit', async () => {
  const response = await get(`api/datasets/acme/corpus/tree/main?recursive=true`);
  assert.is(response.status, 200);
  assert.equal(
    ((await response.json()) as { type: string; path: string }[]).map((entry) => [entry.type, entry.path]),
    [
      ['directory', 'data'],
      ['file', 'data/train.jsonl'],
    ],
  );
  const top = (await (await get(`api/models/acme/safe-model/tree/${repos.safe!.commit}`)).json()) as {
    path: string;
    oid: string;
    lfs?: { oid: string };
  }[];
  const model = top.find((entry) => entry.path === 'model.safetensors');
  assert.is(model?.lfs?.oid, repos.safe!.files.get('model.safetensors')!.sha256);
  assert.is((await get('api/models/meta-1lama/Llama-3-8B/tree/main')).status, 403, 'a refused repo lists nothing');
  assert.is((await get('api/models/acme/safe-model/tree/main/..')).status, 400);
});

test('datasets: info and files under /datasets/', async () => {
  const info = await get('api/datasets/acme/corpus');
  assert.is(info.status, 200);
  const file = await get('datasets/acme/corpus/resolve/main/data/train.jsonl', { redirect: 'follow' });
  assert.is(file.status, 200);
  assert.is(await file.text(), '{"text":"hi"}\n');
});

test('paths that step outside a repo, unknown repos and other API routes are refused', async () => {
  // Sent as written (fetch would normalise dot segments away).
  for (const path of [
    'acme/safe-model/resolve/main/..%2F..%2Fetc/passwd',
    'acme/safe-model/resolve/main/a/../b',
    'acme/safe-model/resolve/main/a/%2E%2E/b',
    'acme/..evil/resolve/main/x',
    'acme%2F..%2F..%2Fx/resolve/main/y',
  ]) {
    assert.is(await rawStatus(`/-/hf/${path}`), 400, path);
  }
  const unknown = await get('api/models/acme/nope');
  assert.is(unknown.status, 404);
  assert.is(unknown.headers.get('x-error-code'), 'RepoNotFound');
  assert.is((await get('api/models/acme/safe-model/xet-read-token/main')).status, 404);
  assert.is((await get('api/models/acme/safe-model', { method: 'POST' })).status, 405);
});

test.run();
