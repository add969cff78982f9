// The settings a bundle was vetted under, as the manifest records them, with a digest so two
// bundles can be compared at a glance; and the depfence version that made it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatDuration, type Config } from '../config/index.js';
import { packageFile } from '../sources/package-root.js';

export function policyRecord(config: Config): { digest: string; settings: Record<string, unknown> } {
  const settings = JSON.parse(
    JSON.stringify({
      mode: config.mode,
      policy: {
        ...config.policy,
        minVersionAge: formatDuration(config.policy.minVersionAge),
        minPackageAge: formatDuration(config.policy.minPackageAge),
      },
      allow: config.allow,
      deny: config.deny,
      // A secret never goes into a bundle.
      upstreams: { ...config.upstreams, huggingface: { ...config.upstreams.huggingface, token: undefined } },
    }),
  ) as Record<string, unknown>;
  return { digest: createHash('sha256').update(JSON.stringify(settings)).digest('hex'), settings };
}

let version: string | undefined;
export function depfenceVersion(): string {
  version ??= (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  return version;
}
