/**
 * Long scans in slices: a `where` over many rows, and the row numbers of a big table, run a slice
 * of rows at a time, calling `between` before each. The engine's threads give way to the bot's
 * event loop there (`threads/give-way.ts`); the answer is the same as in one go.
 */

/** How long scans are cut, and what runs between the slices. */
export interface ScanSlices {
  /** Called before each slice; it may block (that is how a thread gives way). */
  readonly between: () => void;
  /** Rows per slice. Default {@link SLICE_ROWS}. */
  readonly rows?: number;
}

/** Rows per slice by default: about a millisecond of a `where` on one core. */
export const SLICE_ROWS = 65_536;

/** Calls `each(from, to)` over the slices of `[0, count)`, `slices.between()` before each. */
export function forEachSlice(count: number, slices: ScanSlices, each: (from: number, to: number) => void): void {
  const size = slices.rows ?? SLICE_ROWS;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`rows per slice must be a positive integer, not ${size}`);
  for (let from = 0; from < count; from += size) {
    slices.between();
    each(from, Math.min(count, from + size));
  }
}

/** The row numbers 0..count-1, filled a slice at a time. */
export function allRowsInSlices(count: number, slices: ScanSlices): Uint32Array {
  const rows = new Uint32Array(count);
  forEachSlice(count, slices, (from, to) => {
    for (let i = from; i < to; i++) rows[i] = i;
  });
  return rows;
}
