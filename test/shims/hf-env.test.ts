// Hugging Face clients through the firewall: shell-init and install-shims set HF_ENDPOINT (and turn
// off the hf_transfer and Xet side paths); doctor reports an HF_ENDPOINT that points elsewhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellInit } from '../../src/cli/shell-init.js';
import { isolatedEnv, runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'depfence-hf-env-'));

test('shell-init exports HF_ENDPOINT at the firewall, on the configured port, for bash and fish', () => {
  assert.match(
    shellInit('bash', {}, '/x'),
    'export HF_ENDPOINT=http://127.0.0.1:4874/-/hf HF_HUB_ENABLE_HF_TRANSFER=0 HF_HUB_DISABLE_XET=1',
  );
  assert.match(shellInit('zsh', { DEPFENCE_SERVER__PORT: '5999' }, '/x'), 'export HF_ENDPOINT=http://127.0.0.1:5999/-/hf');
  assert.match(
    shellInit('fish', { DEPFENCE_SERVER__HOST: '::1' }, '/x'),
    "set -gx HF_ENDPOINT 'http://[::1]:4874/-/hf'; set -gx HF_HUB_ENABLE_HF_TRANSFER 0; set -gx HF_HUB_DISABLE_XET 1",
  );
  assert.match(
    shellInit('bash', { DEPFENCE_SERVER__PORT: '1; rm -rf ~' }, '/x'),
    "export HF_ENDPOINT='http://127.0.0.1:1; rm -rf ~/-/hf'",
    'quoted, never run',
  );
});

test('install-shims prints the HF_ENDPOINT line for a CI image', async () => {
  const run = await runCliInProcess(['install-shims', '--dir', join(dir, 'bin')], { env: isolatedEnv(), cwd: dir });
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, 'ENV HF_ENDPOINT=http://127.0.0.1:4874/-/hf HF_HUB_ENABLE_HF_TRANSFER=0 HF_HUB_DISABLE_XET=1');
});

test('doctor: HF_ENDPOINT elsewhere fails, at the firewall passes, unset is reported', async () => {
  const base = { PIP_CONFIG_FILE: '/dev/null', DEPFENCE_DATA_DIR: join(dir, 'data') };
  const elsewhere = await runCliInProcess(['doctor'], {
    env: isolatedEnv({ ...base, HF_ENDPOINT: 'https://hf-mirror.example' }),
    cwd: dir,
  });
  assert.is(elsewhere.code, 1);
  assert.match(
    elsewhere.stdout,
    /FAIL\s+huggingface: HF_ENDPOINT is https:\/\/hf-mirror\.example, not the firewall's http:\/\/127\.0\.0\.1:4874\/-\/hf/,
  );
  const here = await runCliInProcess(['doctor'], {
    env: isolatedEnv({ ...base, HF_ENDPOINT: 'http://127.0.0.1:4874/-/hf/', HF_HUB_ENABLE_HF_TRANSFER: '1' }),
    cwd: dir,
  });
  assert.match(here.stdout, /ok\s+huggingface: HF_ENDPOINT is the firewall's/);
  assert.match(here.stdout, /warn\s+huggingface: HF_HUB_ENABLE_HF_TRANSFER is on/);
  const unset = await runCliInProcess(['doctor'], { env: isolatedEnv(base), cwd: dir });
  assert.match(unset.stdout, /info\s+huggingface: HF_ENDPOINT is not set/);
});

test.run();
