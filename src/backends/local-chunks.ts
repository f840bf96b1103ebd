/**
 * Reads a byte range of a data file in large chunks for the readers: each chunk is handed over
 * with what was kept of the previous one in front (a line or record cut by the chunk's end), so a
 * reader only ever sees whole lines, and a very long one makes the buffer grow.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 8 * 1024 * 1024;

/** A part of a file: bytes `[start, end)`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Calls `consume(bytes, last)` with the bytes of `range` of `file`, chunk by chunk: it returns how
 * many of them it used, the rest comes again at the front of the next call. `last` is true on the
 * final call (nothing more to read). `onRead` is told the bytes read so far.
 */
export function forEachChunk(file: string, range: ByteRange, consume: (bytes: Buffer, last: boolean) => number, onRead?: (bytesRead: number) => void): void {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1024, range.end - range.start)));
    let kept = 0;
    let position = range.start;
    for (;;) {
      const want = Math.min(buffer.length - kept, range.end - position);
      const got = want > 0 ? readSync(fd, buffer, kept, want, position) : 0;
      position += got;
      const last = got === 0 || position >= range.end;
      const filled = kept + got;
      const used = consume(buffer.subarray(0, filled), last);
      onRead?.(position - range.start);
      if (last) return;
      kept = filled - used;
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      } else {
        buffer.copy(buffer, 0, used, filled);
      }
    }
  } finally {
    closeSync(fd);
  }
}
