// PyPI's JSON API project document (`GET {json}{project}/json`): the wire schema of the parts
// depfence reads (every release's files, their upload times and digests), and the project's URL.
import { z } from 'zod';
import { normalizePypiName } from '../../names/index.js';

// Lenient where depfence does not depend on a value: a field in an unexpected form reads as absent
// (a file without a readable upload time has no age, so it is never allowed on age), and a file
// entry without a filename is skipped. Unknown keys pass through.
const fileSchema = z.looseObject({
  filename: z.string(),
  url: z.string().optional().catch(undefined),
  upload_time_iso_8601: z.string().nullish().catch(null),
  digests: z
    .looseObject({ sha256: z.string().optional().catch(undefined) })
    .default({})
    .catch({}),
  size: z.number().optional().catch(undefined),
  yanked: z.union([z.boolean(), z.string()]).optional().catch(undefined),
  requires_python: z.string().nullish().catch(null),
  packagetype: z.string().optional().catch(undefined),
});

const releaseSchema = z
  .array(z.unknown())
  .catch([])
  .transform((files) =>
    files.flatMap((file) => {
      const parsed = fileSchema.safeParse(file);
      return parsed.success ? [parsed.data] : [];
    }),
  );

export const pypiProjectSchema = z.looseObject({
  info: z.looseObject({ name: z.string().optional().catch(undefined) }).catch({}),
  releases: z.record(z.string(), releaseSchema),
});

export type PypiFile = z.output<typeof fileSchema>;
export type PypiReleases = Record<string, PypiFile[]>;

/** `{json}{normalised name}/json` */
export function pypiProjectUrl(jsonUrl: string, name: string): string {
  const base = jsonUrl.endsWith('/') ? jsonUrl : `${jsonUrl}/`;
  return `${base}${encodeURIComponent(normalizePypiName(name))}/json`;
}
