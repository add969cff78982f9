// The real npm registry (the default upstream) for the few tests that use it: they are skipped,
// saying why, when it cannot be reached.
import { defaultConfig } from './policy.js';

export const REAL_REGISTRY = defaultConfig().upstreams.npm.registry;

/** Null when the registry answers for `name`; otherwise why the test that needs it is skipped. */
export async function registryUnreachableReason(name: string): Promise<string | null> {
  try {
    const answer = await fetch(`${REAL_REGISTRY}${name}`, {
      signal: AbortSignal.timeout(5_000),
      headers: { accept: 'application/vnd.npm.install-v1+json' },
    });
    await answer.arrayBuffer();
    return answer.ok ? null : `${REAL_REGISTRY} answered HTTP ${answer.status}`;
  } catch (error) {
    return `${REAL_REGISTRY} is unreachable (${(error as Error).message})`;
  }
}
