// The real huggingface_hub client (Python) with HF_ENDPOINT at the firewall: hf_hub_download and
// snapshot_download get verified files; a refused file raises the client's HTTP error with
// depfence's reason. Runs only where `python3` can import huggingface_hub (skipped otherwise, with
// the reason printed): the package comes from PyPI, which tests never reach.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HfUpstream, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors, pythonModelFile } from '../fixtures/model-files.js';
import { startFirewall, type TestFirewall } from '../helpers/firewall.js';
import { huggingfaceHubAvailable, runHfPython } from '../helpers/hf-python.js';

const available = huggingfaceHubAvailable('the huggingface_hub tests');

let hub: HfUpstream;
let firewall: TestFirewall;
let safe: HfFixtureRepo;
const weights = buildSafetensors([{ name: 'w', shape: [256, 64] }], 0x3e);
const cache = mkdtempSync(join(tmpdir(), 'depfence-hf-cache-'));

test.before(async () => {
  if (!available) return;
  hub = await HfUpstream.start();
  safe = hub.addRepo({ id: 'acme/py-model', files: { 'config.json': '{"model_type":"bert"}', 'model.safetensors': weights } });
  hub.addRepo({ id: 'acme/py-payload', files: { 'config.json': '{}', 'pytorch_model.bin': pythonModelFile('system-p4.bin') } });
  firewall = await startFirewall({ hub, mounts: 'hf' });
});

test.after(async () => {
  await firewall?.close();
  await hub?.close();
});

const python = (script: string) => runHfPython(script, `${firewall.url}/-/hf`, cache);

const maybe = available ? test : test.skip.bind(test);

maybe('hf_hub_download and snapshot_download through the firewall: the files, at the commit', async () => {
  const run = await python(`
from huggingface_hub import hf_hub_download, snapshot_download
print(hf_hub_download("acme/py-model", "model.safetensors"))
print(snapshot_download("acme/py-model"))
`);
  assert.is(run.status, 0, run.stderr);
  const [file, snapshot] = run.stdout.trim().split('\n');
  assert.ok(readFileSync(file!).equals(weights));
  assert.match(snapshot!, new RegExp(`snapshots/${safe.commit}$`), 'the snapshot is named by the commit the firewall resolved');
  assert.is(readFileSync(join(snapshot!, 'config.json'), 'utf8'), '{"model_type":"bert"}');
});

maybe("a pickle calling os.system: the client raises with depfence's reason", async () => {
  const run = await python(`
from huggingface_hub import hf_hub_download
hf_hub_download("acme/py-payload", "pytorch_model.bin")
`);
  assert.is.not(run.status, 0);
  assert.match(run.stderr, /403/);
  assert.match(run.stderr, /posix\.system/);
});

test.run();
