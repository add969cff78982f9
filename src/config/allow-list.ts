// The `allow:` list holds two kinds of entry: packages (by name, optionally some versions) and
// advisories (by id). The policy reads them apart.
import type { AdvisoryAllowEntry, AllowEntry, AllowListEntry } from './schema.js';

export function splitAllowList(list: readonly AllowListEntry[]): { packages: AllowEntry[]; advisories: AdvisoryAllowEntry[] } {
  return {
    packages: list.filter((entry): entry is AllowEntry => 'name' in entry),
    advisories: list.filter((entry): entry is AdvisoryAllowEntry => 'advisory' in entry),
  };
}
