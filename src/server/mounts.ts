// The ecosystems `depfence serve` mounts, in the order their prefixes are tried.
import type { Mount, ServerContext } from './app.js';

export async function ecosystemMounts(context: ServerContext): Promise<Mount[]> {
  void context;
  return [];
}
