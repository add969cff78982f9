// Durations in configuration: a number and a unit (`90s`, `72h`, `30d`, `2w`).

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*([smhdw])$/;

/** Milliseconds in a duration string, or null when it is not one. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** The largest whole unit that fits: 259200000 → "3d", 5400000 → "90m". */
export function formatDuration(ms: number): string {
  const units = Object.entries(UNIT_MS).reverse() as [string, number][];
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  for (const [unit, size] of units) {
    if (ms >= size) return `${(ms / size).toFixed(1)}${unit}`;
  }
  return `${ms}ms`;
}

/** An age as people say it, to the whole day, hour or minute below it: 3h 12m → "3h", 10d 5h → "10d". */
export function formatAge(ms: number): string {
  for (const size of [UNIT_MS.d, UNIT_MS.h, UNIT_MS.m]) if (ms >= size) return formatDuration(Math.floor(ms / size) * size);
  return `${Math.floor(ms / 1000)}s`;
}
