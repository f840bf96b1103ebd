/**
 * Reads one table of the local backend from a JSONL file (`<Table>.jsonl`): one event per line as
 * a JSON object with Defender column names, datetimes as ISO 8601 strings, dynamic columns as
 * JSON values. Blank lines, CRLF line endings and a byte-order mark are fine. A value that does
 * not fit its column is an error naming the file, the line and the column (`TableBuilder`'s rules).
 *
 * Fast, because a data file of a real organisation holds tens of millions of events: the file is
 * read in large chunks and each line is taken apart byte by byte into the columns, with no object
 * per event and no string for a value seen before (see `local-table-sink.ts`); datetimes and
 * integers are read from their digits. A line this reader does not take apart itself (anything
 * unusual: a `\u` key, an integer written `1.0`, a value of the wrong type, invalid JSON) goes the
 * general way: `JSON.parse` and `TableBuilder`'s conversions, which also word every error. So every
 * line gives what `JSON.parse` + `TableBuilder` would give.
 */
import { statSync } from 'node:fs';
import * as kql from '../kql/tables';
import { ColumnValueError, type TableSchema } from '../kql/tables';
import { forEachChunk, type ByteRange } from './local-chunks';
import { LocalDataError } from './local-data-error';
import * as json from './local-json-scan';
import * as sinks from './local-table-sink';
import { TableSink } from './local-table-sink';

// Module-local copies: a binding imported from another module may be read through a getter
// (esbuild's CommonJS output, which tsx runs), too slow for a loop over every byte of a file.
const { FALSE, NULL, TRUE, parseDatetimeBytes } = kql;
const { HASH_START, FNV_PRIME, SPELLING } = sinks;
const { QUOTE, BACKSLASH, COLON, COMMA, OPEN_BRACE, CLOSE_BRACE, MINUS, DIGIT_0, DIGIT_9, isSpace, numberEnd, valueEnd } = json;

/** What to load. */
export interface TableFileSource {
  readonly file: string;
  readonly table: string;
  readonly schema: TableSchema;
}

/** Told every so many rows how far a load is. */
export type LoadProgress = (bytesRead: number, totalBytes: number, rows: number) => void;

/** How a reader reads a data file. */
export interface ReadOptions {
  readonly onProgress?: LoadProgress;
  /** Only these bytes of the file (starting at a line); absent: all of it. */
  readonly range?: ByteRange;
  /** The columns go into growable shared memory reserved for this many rows (`TableSink`). */
  readonly sharedRows?: number;
  /** Called every {@link LINES_PER_SLICE} lines: a thread below the event loop gives way there (`threads/give-way.ts`). */
  readonly between?: () => void;
}

const PROGRESS_EVERY_ROWS = 1 << 16;

/** Lines (or CSV records) read between two calls of {@link ReadOptions.between}: about a millisecond. */
export const LINES_PER_SLICE = 256;

/** Column types as small integers, for the switch run on every value. */
const KIND: Readonly<Record<string, number>> = { string: 0, datetime: 1, long: 2, int: 3, real: 4, bool: 5, dynamic: 6, timespan: 7 };

/** Reads the lines of one JSONL file into a {@link TableSink}. */
class JsonlReader {
  private readonly keys: Uint8Array[];
  /** Each key's bytes as little-endian 32-bit words (the last partial word left out). */
  private readonly keyWords: Int32Array[];
  /** `bytes`, read four at a time. */
  private words: DataView = new DataView(new ArrayBuffer(0));
  /** The column whose key followed column `c`'s in the last line (index `c + 1`; 0: the first key). */
  private readonly nextKey: Int32Array;
  /** Each column's type as a {@link KIND}. */
  private readonly kinds: Int8Array;
  private bytes: Buffer = Buffer.alloc(0);
  /**
   * Expected strings: `expected[c][k] - 1` is the dictionary entry string column `c` had the last
   * time the string column before it in its line (`expectedAfter[c]`) had code `k` (0: none yet).
   * The columns of an event go together (a file's hash decides its signer, the signer's hash, the
   * issuer; a device's id its name), so a string is usually the one expected, and is then checked
   * against it byte for byte in one pass rather than hashed and looked up.
   */
  private readonly expected: Int32Array[];
  private readonly expectedAfter: Int32Array;
  /** The string column read last in this line, and its code; -1: none yet. */
  private lastColumn = -1;
  private lastCode = -1;

  constructor(
    private readonly sink: TableSink,
    private readonly file: string,
  ) {
    this.keys = sink.schema.map((c) => Buffer.from(c.name, 'utf8'));
    this.keyWords = this.keys.map((key) => {
      const words = new DataView(key.buffer, key.byteOffset, key.byteLength);
      return Int32Array.from({ length: key.length >> 2 }, (_, i) => words.getInt32(i * 4, true));
    });
    this.nextKey = new Int32Array(sink.schema.length + 1).fill(-1);
    this.kinds = Int8Array.from(sink.schema, (c) => KIND[c.type]!);
    this.expected = sink.schema.map(() => new Int32Array(0));
    this.expectedAfter = new Int32Array(sink.schema.length).fill(-1);
  }

  /** Reads line `lineNumber`, bytes `[start, end)` of `bytes` (no line feed). */
  line(bytes: Buffer, start: number, end: number, lineNumber: number): void {
    if (end > start && bytes[end - 1] === 0x0d) end--;
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    let p = start;
    while (p < end && isSpace(bytes[p]!)) p++;
    if (p === end) return;
    if (!this.fast(p, end)) this.general(bytes.toString('utf8', start, end), lineNumber);
  }

  /** Takes a line apart; false (nothing committed) when it must go the general way. */
  private fast(p: number, end: number): boolean {
    const b = this.bytes;
    const sink = this.sink;
    if (b[p] !== OPEN_BRACE) return false;
    p = this.space(p + 1, end);
    sink.beginRow();
    this.lastColumn = -1;
    if (b[p] === CLOSE_BRACE) return this.endOfLine(p + 1, end);
    let previous = 0;
    for (;;) {
      if (b[p] !== QUOTE) return false;
      const column = this.key(p + 1, end, previous);
      if (column < 0 || sink.isStaged(column)) return false;
      this.nextKey[previous] = column;
      previous = column + 1;
      p = this.space(p + 2 + this.keys[column]!.length, end);
      if (b[p] !== COLON) return false;
      p = this.value(column, this.space(p + 1, end), end);
      if (p < 0) return false;
      p = this.space(p, end);
      if (b[p] === COMMA) p = this.space(p + 1, end);
      else if (b[p] === CLOSE_BRACE) return this.endOfLine(p + 1, end);
      else return false;
    }
  }

  private endOfLine(p: number, end: number): boolean {
    if (this.space(p, end) !== end) return false;
    this.sink.commitRow();
    return true;
  }

  private space(p: number, end: number): number {
    const b = this.bytes;
    while (p < end && isSpace(b[p]!)) p++;
    return p;
  }

  /** The column of the key starting at `p` (after its quote), trying the one that came next last time first; -1 if none. */
  private key(p: number, end: number, previous: number): number {
    const guess = this.nextKey[previous]!;
    if (guess >= 0 && this.keyIs(guess, p, end)) return guess;
    for (let c = 0; c < this.keys.length; c++) if (this.keyIs(c, p, end)) return c;
    return -1;
  }

  private keyIs(column: number, p: number, end: number): boolean {
    const key = this.keys[column]!;
    if (p + key.length >= end) return false;
    const words = this.keyWords[column]!;
    const view = this.words;
    for (let i = 0; i < words.length; i++) if (view.getInt32(p + i * 4, true) !== words[i]) return false;
    const b = this.bytes;
    for (let i = words.length * 4; i < key.length; i++) if (b[p + i] !== key[i]) return false;
    return b[p + key.length] === QUOTE;
  }

  /** Reads the value at `p` into `column`; the position after it, or -1 to go the general way. */
  private value(column: number, p: number, end: number): number {
    const b = this.bytes;
    const sink = this.sink;
    const first = b[p];
    const kind = this.kinds[column];
    if (first === 0x6e /* n */) {
      if (!this.word(p, end, 'null')) return -1;
      if (kind === KIND.string) sink.stage(column, sink.codeOf(column, ''));
      else if (kind === KIND.dynamic) sink.stage(column, sink.codeOf(column, 'null'));
      else sink.stage(column, kind === KIND.bool ? NULL : NaN);
      return p + 4;
    }
    switch (kind) {
      case 0 /* string */:
        return first === QUOTE ? this.string(column, p, end) : -1;
      case 1 /* datetime */: {
        if (first !== QUOTE) return -1;
        let q = p + 1;
        while (q < end && b[q] !== QUOTE && b[q] !== BACKSLASH) q++;
        if (b[q] !== QUOTE) return -1;
        const ms = q === p + 1 ? NaN : parseDatetimeBytes(b, p + 1, q);
        if (ms === undefined) return -1;
        sink.stage(column, ms);
        return q + 1;
      }
      case 2 /* long */:
        return this.integer(column, p, end, false);
      case 3 /* int */:
        return this.integer(column, p, end, true);
      case 4 /* real */: {
        const q = numberEnd(b, p, end);
        if (q < 0) return -1;
        sink.stage(column, Number(b.toString('latin1', p, q)));
        return q;
      }
      case 5 /* bool */:
        if (this.word(p, end, 'true')) {
          sink.stage(column, TRUE);
          return p + 4;
        }
        if (this.word(p, end, 'false')) {
          sink.stage(column, FALSE);
          return p + 5;
        }
        return -1;
      case 6 /* dynamic */: {
        const q = valueEnd(b, p, end);
        if (q < 0) return -1;
        let value: unknown;
        try {
          value = JSON.parse(b.toString('utf8', p, q));
        } catch {
          return -1;
        }
        sink.stage(column, sink.codeOf(column, JSON.stringify(value)));
        return q;
      }
      default:
        return -1;
    }
  }

  /**
   * A string value: its code, found by its bytes. The scan goes four bytes at a time while none
   * of them is a quote, a backslash or a control character (the bit tricks of "Bit Twiddling
   * Hacks": a word has a zero byte when `(v - 0x01010101) & ~v & 0x80808080`), hashing words.
   */
  private string(column: number, p: number, end: number): number {
    const b = this.bytes;
    const view = this.words;
    const after = this.lastColumn;
    const key = this.lastCode;
    if (after >= 0 && this.expectedAfter[column] === after) {
      const expected = this.expected[column]!;
      const entry = key < expected.length ? expected[key]! - 1 : -1;
      if (entry >= 0) {
        const q = p + 1 + this.sink.entryLength(column, entry);
        if (q < end && b[q] === QUOTE) {
          const code = this.sink.codeIfSame(column, entry, b, view, p + 1, q);
          if (code >= 0) return this.read(column, code, q + 1);
        }
      }
    }
    let h = HASH_START;
    let escaped = false;
    let q = p + 1;
    while (q + 4 <= end) {
      const v = view.getInt32(q, true);
      const quote = v ^ 0x22222222;
      const slash = v ^ 0x5c5c5c5c;
      if ((((quote - 0x01010101) & ~quote) | ((slash - 0x01010101) & ~slash) | ((v - 0x20202020) & ~v)) & 0x80808080) break;
      h = Math.imul(h ^ v, FNV_PRIME);
      q += 4;
    }
    for (;;) {
      if (q >= end) return -1;
      const byte = b[q]!;
      if (byte === QUOTE) break;
      if (byte < 0x20) return -1;
      if (byte === BACKSLASH) {
        escaped = true;
        if (q + 1 >= end) return -1;
        h = Math.imul(h ^ byte, FNV_PRIME);
        q++;
      }
      h = Math.imul(h ^ b[q]!, FNV_PRIME);
      q++;
    }
    const code = this.sink.codeOfBytes(column, b, view, p + 1, q, h, escaped ? SPELLING.jsonEscaped : SPELLING.plain);
    if (code < 0) return -1;
    if (after >= 0) this.expect(column, after, key, this.sink.lastEntry(column));
    return this.read(column, code, q + 1);
  }

  /** Stages string column `column`'s `code`; `next`, the position after the value. */
  private read(column: number, code: number, next: number): number {
    this.sink.stage(column, code);
    this.lastColumn = column;
    this.lastCode = code;
    return next;
  }

  /** Remembers that `column` had dictionary entry `entry` after column `after` had code `key`. */
  private expect(column: number, after: number, key: number, entry: number): void {
    if (this.expectedAfter[column]! < 0) this.expectedAfter[column] = after;
    else if (this.expectedAfter[column] !== after) return;
    let expected = this.expected[column]!;
    if (key >= expected.length) {
      const bigger = new Int32Array(Math.max(key + 1, expected.length * 2, 64));
      bigger.set(expected);
      this.expected[column] = expected = bigger;
    }
    expected[key] = entry + 1;
  }

  /** An integer written as JSON writes one (at most 15 digits, no fraction or exponent). */
  private integer(column: number, p: number, end: number, int: boolean): number {
    const b = this.bytes;
    let q = p;
    const negative = b[q] === MINUS;
    if (negative) q++;
    const from = q;
    let value = 0;
    while (q < end && b[q]! >= DIGIT_0 && b[q]! <= DIGIT_9) value = value * 10 + (b[q++]! - DIGIT_0);
    const count = q - from;
    if (count === 0 || count > 15 || (count > 1 && b[from] === DIGIT_0)) return -1;
    const next = b[q];
    if (next === 0x2e || next === 0x65 || next === 0x45) return -1;
    if (negative) value = -value;
    if (int && (value < -2147483648 || value > 2147483647)) return -1;
    this.sink.stage(column, value);
    return q;
  }

  private word(p: number, end: number, word: string): boolean {
    if (p + word.length > end) return false;
    for (let i = 0; i < word.length; i++) if (this.bytes[p + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  /** The general way: `JSON.parse` and `TableBuilder`'s conversions and errors. */
  private general(text: string, lineNumber: number): void {
    if (text.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (e) {
      throw new LocalDataError(this.file, lineNumber, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new LocalDataError(this.file, lineNumber, 'expected a JSON object (one event per line)');
    }
    try {
      this.sink.appendRecord(record as Record<string, unknown>);
    } catch (e) {
      if (e instanceof ColumnValueError) throw new LocalDataError(this.file, lineNumber, `column ${e.column}: ${e.detail}`);
      throw e;
    }
  }
}

/**
 * Reads `source.file` (or the lines of `options.range`, which starts at a line) into a new
 * {@link TableSink}. Throws {@link LocalDataError} on bad content; its line numbers count from the
 * start of the range.
 */
export function readJsonlTable(source: TableFileSource, options: ReadOptions = {}): TableSink {
  const { onProgress, range, between } = options;
  const sink = new TableSink(source.table, source.schema, options.sharedRows);
  const reader = new JsonlReader(sink, source.file);
  const whole = range ?? { start: 0, end: statSync(source.file).size };
  let lineNumber = 0;
  let first = whole.start === 0;
  let nextProgress = PROGRESS_EVERY_ROWS;
  forEachChunk(
    source.file,
    whole,
    (bytes, last) => {
      let start = 0;
      if (first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
      first = false;
      for (let nl = bytes.indexOf(0x0a, start); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
        reader.line(bytes, start, nl, ++lineNumber);
        if (between && lineNumber % LINES_PER_SLICE === 0) between();
        start = nl + 1;
      }
      if (last && start < bytes.length) {
        reader.line(bytes, start, bytes.length, ++lineNumber);
        start = bytes.length;
      }
      return start;
    },
    (bytesRead) => {
      if (onProgress && (sink.rowCount >= nextProgress || bytesRead >= whole.end - whole.start)) {
        onProgress(bytesRead, whole.end - whole.start, sink.rowCount);
        nextProgress = sink.rowCount + PROGRESS_EVERY_ROWS;
      }
    },
  );
  return sink;
}
