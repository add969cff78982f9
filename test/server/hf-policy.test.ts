// The model policy's settings and tools against the fixture Hub: allow and deny entries (an
// organisation glob), pickle: deny, remoteCode: warn, report mode, `depfence check hf:…` and a
// models.lock written by `depfence models lock` and enforced by the firewall.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/index.js';
import { HfUpstream, daysAgo, type HfFixtureRepo } from '../fixtures/index.js';
import { buildSafetensors, pythonModelFile } from '../fixtures/model-files.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';
import { startFirewall } from '../helpers/firewall.js';

let hub: HfUpstream;
const repos: Record<string, HfFixtureRepo> = {};
const weights = buildSafetensors([{ name: 'w', shape: [16, 16] }]);
const work = mkdtempSync(join(tmpdir(), 'depfence-hf-policy-'));

test.before(async () => {
  hub = await HfUpstream.start();
  repos.safe = hub.addRepo({ id: 'acme/safe-model', files: { 'config.json': '{}', 'model.safetensors': weights } });
  repos.other = hub.addRepo({ id: 'acme/other-model', files: { 'config.json': '{"x":1}', 'model.safetensors': weights } });
  repos.fresh = hub.addRepo({ id: 'inhouse/fresh-model', createdAt: daysAgo(2), downloads: 0, files: { 'model.safetensors': weights } });
  repos.torch = hub.addRepo({ id: 'acme/torch-clean', files: { 'pytorch_model.bin': pythonModelFile('clean.pt') } });
  repos.remote = hub.addRepo({
    id: 'acme/remote-code',
    files: { 'config.json': '{}', 'modeling_acme.py': 'pass', 'model.safetensors': weights },
  });
  repos.payload = hub.addRepo({ id: 'acme/pickle-payload', files: { 'pytorch_model.bin': pythonModelFile('system-p4.bin') } });
});

test.after(async () => {
  await hub?.close();
});

async function withFirewall(
  configure: (config: Config) => void,
  use: (get: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
): Promise<void> {
  const firewall = await startFirewall({ hub, mounts: 'hf', configure });
  try {
    await use((path, init = {}) => fetch(`${firewall.url}/-/hf/${path}`, { redirect: 'follow', ...init }));
  } finally {
    await firewall.close();
  }
}

const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

test('an allow entry for an organisation (glob) lets its new repos through; a deny entry refuses a repo', async () => {
  await withFirewall(
    (config) => {
      config.allow = [{ ecosystem: 'huggingface', name: 'inhouse/*', reason: 'our own models' }];
      config.deny = [{ ecosystem: 'huggingface', name: 'acme/other-model', reason: 'pending review' }];
    },
    async (get) => {
      assert.is((await get('inhouse/fresh-model/resolve/main/model.safetensors')).status, 200);
      const denied = await get('api/models/acme/other-model');
      assert.is(denied.status, 403);
      assert.match(await errorOf(denied), /deny list \(acme\/other-model\): pending review/);
      assert.is((await get('api/models/acme/safe-model')).status, 200, 'a glob names only its own organisation');
    },
  );
});

test('pickle: deny refuses pickle files by name, before fetching them; remoteCode: warn serves code repos', async () => {
  await withFirewall(
    (config) => {
      config.policy.models.pickle = 'deny';
      config.policy.models.remoteCode = 'warn';
    },
    async (get) => {
      hub.cdn.resetLog();
      const refused = await get(`acme/torch-clean/resolve/main/pytorch_model.bin`);
      assert.is(refused.status, 403);
      assert.match(await errorOf(refused), /policy\.models\.pickle is deny.*prefer the repo's \.safetensors/);
      assert.is(hub.cdn.requests.length, 0, 'never fetched');
      assert.is((await get('acme/remote-code/resolve/main/modeling_acme.py')).status, 200);
    },
  );
});

test('report mode logs what enforce would refuse and serves it', async () => {
  await withFirewall(
    (config) => {
      config.mode = 'report';
    },
    async (get) => {
      assert.is((await get('acme/pickle-payload/resolve/main/pytorch_model.bin')).status, 200);
    },
  );
});

test('the Hub redirecting a file to a host not in upstreams.huggingface.files: not fetched, not served', async () => {
  await withFirewall(
    (config) => {
      config.upstreams.huggingface.files = [];
    },
    async (get) => {
      hub.cdn.resetLog();
      const response = await get('acme/safe-model/resolve/main/model.safetensors');
      assert.is(response.status, 403);
      assert.match(await errorOf(response), /a host depfence does not fetch files from/);
      assert.is(hub.cdn.requests.length, 0);
      assert.is((await get('acme/safe-model/resolve/main/config.json')).status, 200, "a file on the endpoint's own host is fine");
    },
  );
});

test('spellings: a look-alike organisation in capitals, and deny entries, match case-insensitively as the Hub resolves names', async () => {
  await withFirewall(
    (config) => {
      config.deny = [{ ecosystem: 'huggingface', name: 'ACME/*', reason: 'whole org paused' }];
    },
    async (get) => {
      assert.match(await errorOf(await get('api/models/Acme/safe-model')), /deny list \(ACME\/\*\)/);
      assert.match(await errorOf(await get('api/models/OPENAI-COMMUNTY/gpt2')), /looks like openai-community/);
    },
  );
});

test('offline, the Hub is never asked: a repo no bundle brought is a 404 saying it is not in the vetted mirror', async () => {
  hub.resetLog();
  await withFirewall(
    (config) => {
      config.offline = true;
    },
    async (get) => {
      for (const path of ['api/models/acme/safe-model', 'acme/safe-model/resolve/main/model.safetensors']) {
        const response = await get(path);
        assert.is(response.status, 404);
        assert.is(response.headers.get('x-error-code'), 'RepoNotFound');
        assert.match(await errorOf(response), /the model acme\/safe-model is not in the vetted mirror: depfence runs offline/);
      }
      assert.is(hub.requests.length, 0);
    },
  );
});

function hubEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return isolatedEnv({
    DEPFENCE_UPSTREAMS__HUGGINGFACE__ENDPOINT: hub.url,
    DEPFENCE_UPSTREAMS__HUGGINGFACE__FILES: `[${hub.cdn.url}]`,
    DEPFENCE_NETWORK__RETRIES: '0',
    ...extra,
  });
}

test('depfence check hf:…: the same decisions, offline-aware', async () => {
  const { code, stdout } = await runCliInProcess(
    ['check', '--json', 'hf:acme/safe-model', 'hf:inhouse/fresh-model', 'hf:acme/remote-code@main', 'hf:openai-communty/gpt2'],
    { env: hubEnv() },
  );
  assert.is(code, 1, stdout);
  const results = (JSON.parse(stdout) as { results: { name: string; decision: string; findings: { check: string; severity: string }[] }[] })
    .results;
  const summary = results.map((r) => [
    r.name,
    r.decision,
    r.findings
      .filter((f) => f.severity === 'deny')
      .map((f) => f.check)
      .sort()
      .join(','),
  ]);
  assert.equal(summary, [
    ['acme/safe-model', 'allow', ''],
    ['inhouse/fresh-model', 'deny', 'age,downloads'],
    ['acme/remote-code', 'deny', 'remote-code'],
    ['openai-communty/gpt2', 'deny', 'exists,typosquat'],
  ]);
  const offline = await runCliInProcess(['check', '--offline', 'hf:openai-communty/gpt2', 'hf:acme/safe-model'], { env: hubEnv() });
  assert.is(offline.code, 1, offline.stdout);
  assert.match(
    offline.stdout,
    /DENY\s+huggingface:openai-communty\/gpt2\n.*typosquat: the organisation openai-communty looks like openai-community/,
  );
  assert.match(offline.stdout, /ALLOW\s+huggingface:acme\/safe-model/);
  const bad = await runCliInProcess(['check', 'hf:../etc'], { env: hubEnv() });
  assert.is(bad.code, 2);
});

test('models lock pins repos to commits and hashes; the firewall then serves only those', async () => {
  const lockFile = join(work, 'models.lock');
  const locked = await runCliInProcess(['models', 'lock', '--out', lockFile, 'acme/safe-model@main', 'acme/torch-clean'], {
    env: hubEnv(),
    cwd: work,
  });
  assert.is(locked.code, 0, locked.stdout + locked.stderr);
  const document = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    repos: { id: string; commit: string; files: { path: string; sha256?: string; gitBlob?: string }[] }[];
  };
  assert.equal(
    document.repos.map((repo) => [repo.id, repo.commit]),
    [
      ['acme/safe-model', repos.safe!.commit],
      ['acme/torch-clean', repos.torch!.commit],
    ],
  );
  assert.is(
    document.repos[0]!.files.find((file) => file.path === 'model.safetensors')?.sha256,
    repos.safe!.files.get('model.safetensors')!.sha256,
  );
  assert.is(document.repos[0]!.files.find((file) => file.path === 'config.json')?.gitBlob, repos.safe!.files.get('config.json')!.blobId);

  const refused = await runCliInProcess(['models', 'lock', '--out', lockFile, 'inhouse/fresh-model'], { env: hubEnv(), cwd: work });
  assert.is(refused.code, 1, 'a repo the policy denies is not locked');
  assert.match(refused.stdout, /nothing written/);

  // The lock pins the file's hash: a lock whose hash differs refuses the file even if the Hub serves it.
  const tampered = structuredClone(document);
  tampered.repos[1]!.files[0]!.sha256 = 'f'.repeat(64);
  const tamperedFile = join(work, 'tampered.lock');
  writeFileSync(tamperedFile, JSON.stringify({ lockfileVersion: 1, ...tampered }));

  await withFirewall(
    (config) => {
      config.policy.models.lock = lockFile;
    },
    async (get) => {
      const info = await get('api/models/acme/safe-model');
      assert.is(info.status, 200);
      assert.is(((await info.json()) as { sha: string }).sha, repos.safe!.commit);
      assert.is((await get('acme/safe-model/resolve/main/model.safetensors')).status, 200);
      const other = await get('api/models/acme/other-model');
      assert.is(other.status, 403);
      assert.match(await errorOf(other), /not in .*models\.lock/);
    },
  );
  await withFirewall(
    (config) => {
      config.policy.models.lock = tamperedFile;
    },
    async (get) => {
      const response = await get('acme/torch-clean/resolve/main/pytorch_model.bin');
      assert.is(response.status, 403);
      assert.match(await errorOf(response), /is not the file .*tampered\.lock pins/);
    },
  );
});

test.run();
