// Hugging Face models through the air gap: `depfence models lock` pins two repos from the fixture
// Hub, `depfence mirror --from models.lock` carries their files through the firewall's /-/hf/
// mount (policy applied, every file checked against the lock), `depfence import` verifies them,
// and with the Hub stopped `serve --offline` serves them on /-/hf/ to the real @huggingface/hub
// client and to plain HTTP as huggingface_hub does it. The slow steps run once, in `before`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readManifestOnly } from '../../src/mirror/bundle-read.js';
import type { BundleManifest } from '../../src/protocol/bundle/manifest.js';
import { HfUpstream, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors, pythonModelFile } from '../fixtures/model-files.js';
import { isolatedEnv, runCliInProcess, type CliResult } from '../helpers/cli.js';
import { treeFingerprint } from './helpers.js';

const test = suite('mirror/models');
const weights = buildSafetensors([{ name: 'w', shape: [64, 64] }]);

let hub: HfUpstream;
let scratch: string;
let dataDir: string;
const repos: Record<string, HfFixtureRepo> = {};
const runs: Record<string, CliResult> = {};
let manifest: BundleManifest;

test.before(async () => {
  hub = await HfUpstream.start();
  repos.bert = hub.addRepo({
    id: 'acme/bert',
    files: { 'config.json': '{"model_type":"bert"}', 'model.safetensors': weights, 'pytorch_model.bin': pythonModelFile('clean.pt'), 'arrays/vocab.npz': pythonModelFile('clean.npz') },
  });
  repos.mixed = hub.addRepo({
    id: 'acme/mixed',
    lfs: ['model.safetensors', 'pytorch_model.bin', 'extras.npz'],
    files: { 'README.md': '# mixed', 'model.safetensors': weights, 'pytorch_model.bin': pythonModelFile('system-p2.bin'), 'extras.npz': pythonModelFile('payload.npz') },
  });
  scratch = mkdtempSync(join(tmpdir(), 'depfence-mirror-models-'));
  dataDir = join(scratch, 'offline-data');
  const config = join(scratch, 'depfence.yaml');
  writeFileSync(config, `upstreams:\n  huggingface: { endpoint: "${hub.url}", files: ["${hub.cdn.url}"] }\nnetwork: { timeout: 5s, retries: 1 }\n`);
  const env = isolatedEnv();
  const cli = (args: string[]) => runCliInProcess([...args, '--config', config], { env, cwd: scratch });

  runs.lock = await cli(['models', 'lock', '--out', 'models.lock', 'acme/bert', 'acme/mixed@main']);
  const lock = JSON.parse(readFileSync(join(scratch, 'models.lock'), 'utf8')) as { repos: Array<{ id: string; files: Array<{ path: string; sha256?: string }> }> };
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
});

test.after(async () => {
  await hub?.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('models lock pins both repos', () => {
  assert.is(runs.lock!.code, 0, runs.lock!.stdout + runs.lock!.stderr);
  assert.match(runs.lock!.stdout, /locked acme\/bert at [0-9a-f]{40} \(4 files\)/);
});

test('mirror --from models.lock: a denied file fails the run with the firewall\'s reasons, and no bundle is written', () => {
  assert.is(runs.denied!.code, 1, runs.denied!.stderr);
  assert.match(runs.denied!.stderr, /2 package\(s\) or model file\(s\) denied/);
  assert.match(runs.denied!.stderr, new RegExp(`huggingface:acme/mixed@${repos.mixed!.commit} pytorch_model\\.bin: pickle: .*imports posix\\.system`));
  assert.match(runs.denied!.stderr, /huggingface:acme\/mixed@[0-9a-f]{40} extras\.npz: pickle: .*object array|extras\.npz: pickle: .*posix\.system/);
  assert.not.ok(readManifestExists('denied.tgz'));
});

test('mirror --skip-denied: the allowed files of both repos are bundled with their hashes; the denied ones are listed with why', () => {
  assert.is(runs.skipped!.code, 0, runs.skipped!.stderr);
  assert.match(runs.skipped!.stdout, /6 model files of 2 Hugging Face repos/);
  assert.match(runs.skipped!.stdout, /skipped \(denied\) huggingface:acme\/mixed@[0-9a-f]{40} pytorch_model\.bin: pickle: /);
  const models = manifest.models!;
  assert.equal(models.map((repo) => `${repo.id}@${repo.commit}`).sort(), [`acme/bert@${repos.bert!.commit}`, `acme/mixed@${repos.mixed!.commit}`]);
  const bert = models.find((repo) => repo.id === 'acme/bert')!;
  assert.equal(bert.files.map((file) => file.path).sort(), ['arrays/vocab.npz', 'config.json', 'model.safetensors', 'pytorch_model.bin']);
  for (const file of bert.files) {
    const fixture = repos.bert!.files.get(file.path)!;
    assert.is(file.sha256, fixture.sha256, file.path);
    assert.is(file.size, fixture.content.length);
    assert.is(file.blobId, fixture.blobId);
    assert.is(file.lfsSha256, fixture.lfs ? fixture.sha256 : null);
  }
  assert.equal(models.find((repo) => repo.id === 'acme/mixed')!.files.map((file) => file.path).sort(), ['README.md', 'model.safetensors']);
  assert.equal(manifest.skipped.map((entry) => `${entry.ecosystem}:${entry.name} ${entry.file}`).sort(), ['huggingface:acme/mixed extras.npz', 'huggingface:acme/mixed pytorch_model.bin']);
  assert.is(bert.info.sha, repos.bert!.commit);
  assert.is(bert.decision.decision, 'allow');
});

test('a file whose bytes are not what the lock pins fails the run, --skip-denied or not', () => {
  assert.is(runs.altered!.code, 1);
  assert.match(runs.altered!.stderr, /acme\/bert\/model\.safetensors at [0-9a-f]{40} as fetched has sha256 [0-9a-f]{64}, not abab.* as the models lock pins/);
});

test('mirror --list shows each model file; import verifies and stores them, and a second import changes nothing', () => {
  assert.match(runs.list!.stdout, /hf {4}acme\/bert@[0-9a-f]{12} +ALLOW .* model\.safetensors/);
  assert.match(runs.list!.stdout, /hf {4}acme\/mixed [0-9a-f]{12} +SKIPPED +pytorch_model\.bin: pickle:/);
  assert.is(runs.import!.code, 0, runs.import!.stderr);
  assert.match(runs.import!.stdout, /6 new model files of 2 Hugging Face repos/);
  assert.is(runs.reimport!.code, 0);
  assert.match(runs.reimport!.stdout, /nothing changed/);
  assert.is(runs.fingerprints!.code, 0, 'the store is unchanged');
});

function readManifestExists(file: string): boolean {
  try {
    readFileSync(join(scratch, file));
    return true;
  } catch {
    return false;
  }
}

test.run();
