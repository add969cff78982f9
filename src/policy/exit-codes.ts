// depfence's exit codes, the same for every command (documented in the README).
export const EXIT = {
  ok: 0,
  denied: 1,
  usage: 2,
  factsUnavailable: 3,
} as const;
