/**
 * Query text with its line starts, so errors found at an offset can name a line and column.
 * Line breaks are CRLF, CR or LF (rules come with CRLF line endings).
 */
import { KqlError, type KqlErrorKind, type SourcePosition } from './errors';

/** The text of one query. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      if (ch === 10 || ch === 13) this.lineStarts.push(i + 1);
    }
  }

  /** The 1-based line and column of an offset. */
  positionAt(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.lineStarts[low]! + 1 };
  }

  /** A {@link KqlError} positioned at an offset of this text. */
  error(kind: KqlErrorKind, detail: string, offset: number): KqlError {
    return new KqlError(kind, detail, this.positionAt(offset));
  }
}
