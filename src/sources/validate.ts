// Wire documents are checked with zod schemas; this turns a schema into the `validate` function of
// HttpClient.getJson, with a one-line reason ("versions.1.0.0.dist: expected object") on failure.

import type { z } from 'zod';

export function validator<S extends z.ZodType>(schema: S): (body: unknown) => z.output<S> {
  return (body) => {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw new Error(`${where}${issue?.message ?? 'unexpected document'}`);
  };
}
