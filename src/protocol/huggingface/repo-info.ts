// The Hub's repo information document (GET /api/models/{repo}/revision/{rev}?blobs=true, and the
// same under /api/datasets/): the fields depfence reads, checked, and turned into RepoInfo. The
// rest of the document is passed to clients as the Hub sent it.
import { z } from 'zod';

const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

const sibling = z.looseObject({
  rfilename: z.string().min(1),
  size: z.number().int().nonnegative().optional(),
  blobId: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .optional(),
  lfs: z.looseObject({ sha256: z.string().regex(SHA256), size: z.number().int().nonnegative() }).nullish(),
});

export const repoInfoDocument = z.looseObject({
  id: z.string().min(1),
  sha: z.string().regex(COMMIT, 'sha must be a 40-character commit id'),
  createdAt: z.string().nullish(),
  downloads: z.number().int().nonnegative().nullish(),
  gated: z.union([z.literal(false), z.string()]).nullish(),
  disabled: z.boolean().nullish(),
  private: z.boolean().nullish(),
  config: z.looseObject({ auto_map: z.unknown().optional() }).nullish(),
  siblings: z.array(sibling),
});

export type RepoInfoDocument = z.output<typeof repoInfoDocument>;

/** Does a config.json text declare an auto_map? Unparseable JSON counts as no (transformers would fail to load it). */
export function configDeclaresAutoMap(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && 'auto_map' in parsed && parsed.auto_map != null;
  } catch {
    return false;
  }
}
