/**
 * JSON's bytes, for the JSONL reader (`local-jsonl.ts`): the characters its grammar turns on, and
 * where a number or any value that starts at a position ends.
 */

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const MINUS = 0x2d;
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;

/** Whether `byte` is JSON white space. */
export const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;

/** The end of a JSON number starting at `p` (its grammar exactly), or -1. */
export function numberEnd(b: Uint8Array, p: number, end: number): number {
  let q = p;
  const digits = (): number => {
    const from = q;
    while (q < end && b[q]! >= DIGIT_0 && b[q]! <= DIGIT_9) q++;
    return q - from;
  };
  if (b[q] === MINUS) q++;
  const start = q;
  const whole = digits();
  if (whole === 0 || (whole > 1 && b[start] === DIGIT_0)) return -1;
  if (b[q] === 0x2e) {
    q++;
    if (digits() === 0) return -1;
  }
  if (b[q] === 0x65 || b[q] === 0x45) {
    q++;
    if (b[q] === 0x2b || b[q] === MINUS) q++;
    if (digits() === 0) return -1;
  }
  return q;
}

/** The end of the JSON value starting at `p` (strings and nesting followed; validity is `JSON.parse`'s business), or -1. */
export function valueEnd(b: Uint8Array, p: number, end: number): number {
  let depth = 0;
  let q = p;
  while (q < end) {
    const byte = b[q]!;
    if (byte === QUOTE) {
      q++;
      while (q < end && b[q] !== QUOTE) q += b[q] === BACKSLASH ? 2 : 1;
      if (q >= end) return -1;
      q++;
      if (depth === 0) return q;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 0) return q;
      depth--;
      if (depth === 0) return q + 1;
    } else if (depth === 0 && (byte === COMMA || isSpace(byte))) {
      return q;
    }
    q++;
  }
  return depth === 0 ? q : -1;
}
