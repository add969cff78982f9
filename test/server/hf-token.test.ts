// Hugging Face clients and the firewall's access token: a firewall listening beyond loopback needs
// server.token on every request, and the Hub's clients send `Authorization: Bearer <HF_TOKEN>`, so
// HF_TOKEN set to depfence's token lets them in (the real @huggingface/hub with accessToken, plain
// HTTP as huggingface_hub does it, and huggingface_hub itself where python3 has it). That token
// never goes upstream; the firewall's own Hub token (upstreams.huggingface.token) goes to the Hub's
// endpoint only, never to the CDN it redirects to, and lets gated repos through to the Hub's decision.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFile, modelInfo } from '@huggingface/hub';
import { HfUpstream, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors } from '../fixtures/model-files.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { huggingfaceHubAvailable, runHfPython } from '../helpers/hf-python.js';
import { policyRecord } from '../../src/mirror/policy-record.js';

// @huggingface/hub refuses an accessToken that does not start with hf_, so the README says to pick one that does.
const ACCESS_TOKEN = 'hf_depfence_access_token_0123456789abcdef';
const HUB_TOKEN = 'hf_upstream_secret_for_gated_repos';
const weights = buildSafetensors([{ name: 'w', shape: [32, 32] }]);

let hub: HfUpstream;
let firewall: TestFirewall;
let safe: HfFixtureRepo;
let gated: HfFixtureRepo;
let hubUrl: string;
const bearer = { authorization: `Bearer ${ACCESS_TOKEN}` };

test.before(async () => {
  hub = await HfUpstream.start();
  safe = hub.addRepo({ id: 'acme/token-model', files: { 'config.json': '{}', 'model.safetensors': weights } });
  gated = hub.addRepo({ id: 'acme/token-gated', gated: 'manual', files: { 'model.safetensors': weights } });
  firewall = await startFirewall({
    hub,
    mounts: 'hf',
    configure: (config) => {
      config.server = { ...config.server, host: '0.0.0.0', token: ACCESS_TOKEN };
      config.upstreams.huggingface = { ...config.upstreams.huggingface, token: HUB_TOKEN };
    },
  });
  hubUrl = `${firewall.url.replace('0.0.0.0', '127.0.0.1')}/-/hf`;
});

test.after(async () => {
  await firewall?.close();
  await hub?.close();
});

const get = (path: string, init: RequestInit = {}) => fetch(`${hubUrl}/${path}`, { redirect: 'manual', ...init });

test('without the token a Hugging Face request is refused, and told how to send it', async () => {
  const response = await get('api/models/acme/token-model');
  assert.is(response.status, 401);
  assert.match(await response.text(), /Hugging Face clients: set HF_TOKEN to it/);
  assert.is((await get('api/models/acme/token-model', { headers: { authorization: 'Bearer not-the-token-0123456789' } })).status, 401);
});

test("@huggingface/hub with accessToken set to depfence's token: model info and a download", async () => {
  const model = await modelInfo({ name: 'acme/token-model', hubUrl, accessToken: ACCESS_TOKEN });
  assert.is(model.name, 'acme/token-model');
  const blob = await downloadFile({ repo: 'acme/token-model', path: 'model.safetensors', hubUrl, accessToken: ACCESS_TOKEN });
  assert.ok(blob && Buffer.from(await blob.arrayBuffer()).equals(weights));
});

test('plain HTTP as huggingface_hub does it, with Authorization: Bearer: HEAD, the relative redirect, a ranged GET', async () => {
  const head = await get('acme/token-model/resolve/main/model.safetensors', { method: 'HEAD', headers: bearer });
  assert.is(head.status, 302);
  const location = head.headers.get('location')!;
  const resumed = await fetch(new URL(location, hubUrl), { headers: { ...bearer, range: 'bytes=10-' } });
  assert.is(resumed.status, 206);
  assert.ok(Buffer.from(await resumed.arrayBuffer()).equals(weights.subarray(10)));
});

test("depfence's token never goes upstream; the firewall's Hub token goes to the Hub only, not to the CDN", () => {
  const toHub = hub.requests;
  assert.ok(toHub.length > 0);
  for (const request of toHub) assert.is(request.headers.authorization, `Bearer ${HUB_TOKEN}`, request.path);
  const toCdn = hub.cdn.requests;
  assert.ok(toCdn.length > 0);
  for (const request of [...toHub, ...toCdn]) assert.not.match(JSON.stringify(request.headers), ACCESS_TOKEN);
  for (const request of toCdn) assert.is(request.headers.authorization, undefined, 'a redirect to another origin drops Authorization');
});

test('a gated repo: served with a warning when the firewall holds a Hub token, refused with the way forward when it does not', async () => {
  const served = await get(`acme/token-gated/resolve/${gated.commit}/model.safetensors`, { headers: bearer });
  assert.is(served.status, 200);
  const warning = firewall.audit().find((record) => record.name === 'acme/token-gated');
  assert.is(warning?.findings.find((finding) => finding.check === 'gated')?.severity, 'warn');
  const plain = await startFirewall({ hub, mounts: 'hf' });
  try {
    const refused = await fetch(`${plain.url}/-/hf/api/models/acme/token-gated`);
    assert.is(refused.status, 403);
    assert.match(
      ((await refused.json()) as { error: string }).error,
      /gated on the Hub .*set upstreams\.huggingface\.token, or DEPFENCE_HF_TOKEN/,
    );
  } finally {
    await plain.close();
  }
});

test("the Hub token is not written into a bundle's policy record", () => {
  assert.not.match(JSON.stringify(policyRecord(firewall.config)), HUB_TOKEN);
});

(huggingfaceHubAvailable('the huggingface_hub token test') ? test : test.skip.bind(test))(
  "huggingface_hub with HF_TOKEN set to depfence's token downloads through the firewall",
  async () => {
    const run = await runHfPython(
      'from huggingface_hub import hf_hub_download\nprint(hf_hub_download("acme/token-model", "model.safetensors"))',
      hubUrl,
      mkdtempSync(join(tmpdir(), 'depfence-hf-token-')),
      { HF_TOKEN: ACCESS_TOKEN },
    );
    assert.is(run.status, 0, run.stderr);
    const file = run.stdout.trim().split('\n').at(-1)!;
    assert.ok(readFileSync(file).equals(weights));
    assert.match(file, new RegExp(`snapshots/${safe.commit}/`));
  },
);

test.run();
