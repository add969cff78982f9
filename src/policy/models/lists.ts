// Allow and deny entries for Hugging Face repos: `ecosystem: huggingface` and a repo id, or a glob
// (`my-org/*`) for an organisation. Repo ids compare case-insensitively, as the Hub resolves them.
import type { AllowEntry, DenyEntry } from '../../config/schema.js';
import type { Finding } from '../types.js';

export function entryMatchesRepo(entry: AllowEntry | DenyEntry, id: string): boolean {
  if (entry.ecosystem !== 'huggingface') return false;
  const pattern = entry.name.toLowerCase().split('*').map(escapeRegExp).join('[^/]*');
  return new RegExp(`^${pattern}$`).test(id.toLowerCase());
}

export function repoDenyFindings(id: string, deny: readonly DenyEntry[]): Finding[] {
  return deny
    .filter((entry) => entryMatchesRepo(entry, id))
    .map((entry) => ({
      check: 'denylist',
      severity: 'deny',
      message: `${id} is on the deny list (${entry.name}): ${entry.reason}`,
      evidence: { name: entry.name, reason: entry.reason },
    }));
}

export function repoAllowEntries(
  id: string,
  allow: readonly AllowEntry[],
  now: Date,
): { active: AllowEntry | null; expired: AllowEntry[] } {
  const matching = allow.filter((entry) => entryMatchesRepo(entry, id));
  const isExpired = (entry: AllowEntry) => entry.expires !== undefined && entry.expires.getTime() <= now.getTime();
  return { active: matching.find((entry) => !isExpired(entry)) ?? null, expired: matching.filter(isExpired) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
