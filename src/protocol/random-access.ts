// A file read at offsets, for the format readers that need more than a front-to-back stream (a
// zip's directory sits at its end). The caller supplies the reads; the readers do no I/O of their own.
export interface RandomAccess {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Buffer>;
}
