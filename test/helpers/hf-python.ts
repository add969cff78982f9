// The real huggingface_hub (Python) for the Hugging Face tests: whether python3 can import it
// (the tests that need it skip with a printed reason where it cannot: it comes from PyPI, which
// tests never reach), and a script run with HF_ENDPOINT at a firewall, asynchronously (the firewall
// answering it may live in the test's own process).
import { spawn, spawnSync } from 'node:child_process';

export function huggingfaceHubAvailable(what: string): boolean {
  const probe = spawnSync('python3', ['-c', 'import huggingface_hub'], { encoding: 'utf8' });
  if (probe.status !== 0) console.log(`skipping ${what}: python3 cannot import huggingface_hub (pip install huggingface-hub to run it)`);
  return probe.status === 0;
}

export function runHfPython(
  script: string,
  endpoint: string,
  cache: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script], {
      env: {
        ...process.env,
        HF_ENDPOINT: endpoint,
        HF_HUB_CACHE: cache,
        HF_HUB_DISABLE_TELEMETRY: '1',
        HF_HUB_ENABLE_HF_TRANSFER: '0',
        HF_HUB_DISABLE_XET: '1',
        HF_HUB_ETAG_TIMEOUT: '30',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
