// Step 4: `time` agrees with `versions`: the package-level entries (created, modified, unpublished)
// stay, and a version's entry stays only if the version does.
const PACKAGE_KEYS = new Set(['created', 'modified', 'unpublished']);

export function keepTimeConsistent(
  time: Readonly<Record<string, unknown>> | undefined,
  remaining: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (time === undefined) return undefined;
  return Object.fromEntries(Object.entries(time).filter(([key]) => PACKAGE_KEYS.has(key) || remaining.has(key)));
}
