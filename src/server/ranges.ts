// Byte ranges (RFC 9110 §14), read with range-parser: one range (`bytes=a-b`, `bytes=a-`,
// `bytes=-n`, or overlapping ones combined) is served as asked; several at once, another unit or a
// header range-parser cannot read at all are answered with the whole file (allowed, and what
// installers cope with); ranges that are all invalid or outside the file are unsatisfiable (416).
import rangeParser from 'range-parser';

export type RangeRequest = { kind: 'whole' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

const WHOLE: RangeRequest = { kind: 'whole' };

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return WHOLE;
  const ranges = rangeParser(size, header, { combine: true });
  if (ranges === -1) return { kind: 'unsatisfiable' };
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return WHOLE;
  return { kind: 'range', start: ranges[0]!.start, end: ranges[0]!.end };
}
