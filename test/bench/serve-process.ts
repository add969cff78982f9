// `depfence serve` run as users run it, from a checkout's dist/ (no TypeScript loader's time or
// memory is counted), with a fixture as its npm registry, for the npm and rss benches.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NpmUpstream } from '../fixtures/index.js';

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `depfence serve` from a dist/, with the fixture as its npm registry. */
export async function startServe(cli: string, npm: NpmUpstream, dataDir: string): Promise<ChildServer> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const configFile = join(dataDir, 'depfence.yaml');
  writeFileSync(
    configFile,
    stringify({
      upstreams: { npm: { registry: npm.registryUrl, downloads: npm.downloadsUrl } },
      server: { port: 0 },
      feeds: { osv: { autoUpdate: false } },
    }),
  );
  const env: NodeJS.ProcessEnv = { HOME: dataDir, XDG_CONFIG_HOME: join(dataDir, '.config') };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('DEPFENCE_') && !(key in env)) env[key] = value;
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile, '--data-dir', join(dataDir, 'data')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`depfence serve exited (${code}) before listening`)));
  });
  // The npm registry process may still be starting (public packages do not need it); a request
  // that needs it waits for it, so the measurements start with the whole server up.
  await fetch(`${url}/-/whoami`).then((answer) => answer.arrayBuffer());
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
