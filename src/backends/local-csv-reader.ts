/**
 * The fast way through a CSV export (see `local-csv.ts` for the format): the file is read in large
 * chunks and each record taken apart byte by byte into the columns, strings found in the column's
 * dictionary by their bytes (see `local-table-sink.ts`), datetimes, integers and booleans read
 * from their bytes, other values converted as the general reader converts them (`fieldValue`).
 *
 * It takes only files it is sure of: a header of known columns, every record with as many fields,
 * one line ending throughout (CRLF or LF, as the header's), quotes only around whole fields, every
 * value fitting its column. On anything else it gives up ({@link readCsvFast} returns `undefined`)
 * and the caller reads the file the general way (csv-parse), which reads what is unusual but valid
 * and words every error with its line. So both ways give the same table.
 */
import { statSync } from 'node:fs';
import * as kql from '../kql/tables';
import { ColumnValueError } from '../kql/tables';
import { forEachChunk } from './local-chunks';
import { fieldValue } from './local-csv';
import { LINES_PER_SLICE, type ReadOptions, type TableFileSource } from './local-jsonl';
import * as sinks from './local-table-sink';
import { TableSink, type Spelling } from './local-table-sink';

// Module-local copies (see local-jsonl.ts).
const { FALSE, NULL, TRUE, parseDatetimeBytes } = kql;
const { HASH_START, FNV_PRIME, SPELLING } = sinks;

const PROGRESS_EVERY_ROWS = 1 << 16;
const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Thrown inside the reader when the file must go the general way. */
const GIVE_UP = Symbol('give up');
/** A record runs past the bytes read so far. */
const MORE = -2;

class CsvReader {
  /** The column of each field of a record; -1 before the header is read. */
  private fields: Int32Array = new Int32Array(0);
  private crlf = false;
  private bytes: Buffer = Buffer.alloc(0);
  private words: DataView = new DataView(new ArrayBuffer(0));
  private end = 0;
  private eof = false;

  /** Records read so far, for {@link between}. */
  private recordCount = 0;

  constructor(
    private readonly sink: TableSink,
    /** Called every {@link LINES_PER_SLICE} records (see {@link ReadOptions}). */
    private readonly between?: () => void,
  ) {}

  /** Reads every whole record of `bytes[start, end)` (only the header, with `headerOnly`); the position of the first byte not consumed. */
  records(bytes: Buffer, start: number, end: number, eof: boolean, headerOnly = false): number {
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.end = end;
    this.eof = eof;
    let p = start;
    while (p < end) {
      const header = this.fields.length === 0;
      const next = header ? this.header(p) : this.record(p);
      if (next === MORE) return p;
      p = next;
      if (headerOnly) return p;
      if (!header && this.between && ++this.recordCount % LINES_PER_SLICE === 0) this.between();
    }
    return p;
  }

  private header(p: number): number {
    const names: string[] = [];
    for (;;) {
      const field = this.field(p);
      if (field === MORE) return MORE;
      names.push(this.bytes.toString('utf8', this.fieldStart, this.fieldEnd).trim());
      p = field;
      if (this.bytes[p] === COMMA) {
        p++;
        continue;
      }
      break;
    }
    const after = this.lineEnd(p, true);
    if (after === MORE) return MORE;
    const columns = names.map((n) => this.sink.columnIndex(n));
    if (columns.some((c) => c < 0) || new Set(columns).size !== columns.length || this.fieldSpelling !== SPELLING.plain) throw GIVE_UP;
    this.fields = Int32Array.from(columns);
    return after;
  }

  private fieldStart = 0;
  private fieldEnd = 0;
  private fieldHash = 0;
  private fieldSpelling: Spelling = SPELLING.plain;

  /** Scans the field at `p` (bounds, hash and spelling into `field*`); the position after it. */
  private field(p: number): number {
    const b = this.bytes;
    const end = this.end;
    let h = HASH_START;
    if (b[p] === QUOTE) {
      let q = p + 1;
      let doubled = false;
      for (;;) {
        if (q >= end) {
          if (this.eof) throw GIVE_UP;
          return MORE;
        }
        const byte = b[q]!;
        if (byte === QUOTE) {
          if (q + 1 >= end && !this.eof) return MORE;
          if (b[q + 1] !== QUOTE) break;
          doubled = true;
          h = Math.imul(Math.imul(h ^ QUOTE, FNV_PRIME) ^ QUOTE, FNV_PRIME);
          q += 2;
          continue;
        }
        h = Math.imul(h ^ byte, FNV_PRIME);
        q++;
      }
      this.fieldStart = p + 1;
      this.fieldEnd = q;
      this.fieldHash = h;
      this.fieldSpelling = doubled ? SPELLING.csvQuoted : SPELLING.plain;
      return q + 1;
    }
    let q = p;
    for (; q < end; q++) {
      const byte = b[q]!;
      if (byte === COMMA || byte === LF || byte === CR) break;
      if (byte === QUOTE) throw GIVE_UP;
      h = Math.imul(h ^ byte, FNV_PRIME);
    }
    if (q >= end && !this.eof) return MORE;
    this.fieldStart = p;
    this.fieldEnd = q;
    this.fieldHash = h;
    this.fieldSpelling = SPELLING.plain;
    return q;
  }

  /** The position after the line ending at `p` (or the end of the file); the header decides CRLF or LF. */
  private lineEnd(p: number, header: boolean): number {
    const b = this.bytes;
    if (p >= this.end) return this.eof ? p : MORE;
    if (b[p] === LF) {
      if (header) this.crlf = false;
      else if (this.crlf) throw GIVE_UP;
      return p + 1;
    }
    if (b[p] === CR) {
      if (p + 1 >= this.end && !this.eof) return MORE;
      if (b[p + 1] !== LF) throw GIVE_UP;
      if (header) this.crlf = true;
      else if (!this.crlf) throw GIVE_UP;
      return p + 2;
    }
    throw GIVE_UP;
  }

  private record(p: number): number {
    const b = this.bytes;
    if (b[p] === LF || b[p] === CR) return this.lineEnd(p, false);
    const sink = this.sink;
    const fields = this.fields;
    sink.beginRow();
    for (let i = 0; i < fields.length; i++) {
      const next = this.field(p);
      if (next === MORE) return MORE;
      this.convert(fields[i]!);
      p = next;
      if (i < fields.length - 1) {
        if (b[p] !== COMMA) throw GIVE_UP;
        p++;
      }
    }
    if (b[p] === COMMA) throw GIVE_UP;
    const after = this.lineEnd(p, false);
    if (after === MORE) return MORE;
    sink.commitRow();
    return after;
  }

  private convert(column: number): void {
    const sink = this.sink;
    const b = this.bytes;
    const start = this.fieldStart;
    const end = this.fieldEnd;
    const type = sink.typeOf(column);
    if (type === 'string') {
      sink.stage(column, sink.codeOfBytes(column, b, this.words, start, end, this.fieldHash, this.fieldSpelling));
      return;
    }
    if (start === end) {
      sink.stage(column, type === 'dynamic' ? sink.codeOf(column, 'null') : type === 'bool' ? NULL : NaN);
      return;
    }
    if (this.fieldSpelling === SPELLING.plain) {
      if (type === 'datetime') {
        const ms = parseDatetimeBytes(b, start, end);
        if (ms !== undefined) return sink.stage(column, ms);
      } else if (type === 'long' || type === 'int') {
        const value = integer(b, start, end);
        if (value !== undefined && (type === 'long' || (value >= -2147483648 && value <= 2147483647))) return sink.stage(column, value);
      } else if (type === 'bool') {
        const value = bool(b, start, end);
        if (value !== undefined) return sink.stage(column, value);
      }
    }
    const text = this.fieldSpelling === SPELLING.csvQuoted ? b.toString('utf8', start, end).replace(/""/g, '"') : b.toString('utf8', start, end);
    const name = sink.schema[column]!.name;
    try {
      const value = fieldValue(name, type, text);
      if (type === 'dynamic') sink.stage(column, sink.codeOf(column, JSON.stringify(value)));
      else sink.stage(column, sink.convertValue(column, value) as number);
    } catch (e) {
      if (e instanceof ColumnValueError) throw GIVE_UP;
      throw e;
    }
  }
}

/** A whole number of at most 15 digits with an optional sign, or `undefined`. */
function integer(b: Uint8Array, start: number, end: number): number | undefined {
  let p = start;
  const sign = b[p] === 0x2d ? -1 : 1;
  if (b[p] === 0x2d || b[p] === 0x2b) p++;
  if (p === end || end - p > 15) return undefined;
  let value = 0;
  for (; p < end; p++) {
    const byte = b[p]!;
    if (byte < DIGIT_0 || byte > DIGIT_9) return undefined;
    value = value * 10 + (byte - DIGIT_0);
  }
  return sign * value;
}

/** `true` or `false` in any case, as a bool byte, or `undefined`. */
function bool(b: Uint8Array, start: number, end: number): number | undefined {
  const lower = (i: number): number => b[start + i]! | 0x20;
  if (end - start === 4 && lower(0) === 0x74 && lower(1) === 0x72 && lower(2) === 0x75 && lower(3) === 0x65) return TRUE;
  if (end - start === 5 && lower(0) === 0x66 && lower(1) === 0x61 && lower(2) === 0x6c && lower(3) === 0x73 && lower(4) === 0x65) return FALSE;
  return undefined;
}

/**
 * Reads `source.file` the fast way into a new {@link TableSink} (only the records of
 * `options.range`, which starts at a record, the header read from the start of the file);
 * `undefined` when the file is not one it is sure of (then read it the general way, which also
 * words every error).
 */
export function readCsvFast(source: TableFileSource, options: ReadOptions = {}): TableSink | undefined {
  const { onProgress, range } = options;
  const sink = new TableSink(source.table, source.schema, options.sharedRows);
  const reader = new CsvReader(sink, options.between);
  const size = statSync(source.file).size;
  if (size === 0) return undefined;
  const whole = range ?? { start: 0, end: size };
  let nextProgress = PROGRESS_EVERY_ROWS;
  const withoutBom = (bytes: Buffer): number => (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  try {
    if (whole.start > 0) {
      let headerRead = false;
      forEachChunk(source.file, { start: 0, end: whole.start }, (bytes, last) => {
        if (headerRead) return bytes.length;
        const from = withoutBom(bytes);
        const used = reader.records(bytes, from, bytes.length, last, true);
        headerRead = used > from;
        if (last && !headerRead) throw GIVE_UP;
        return headerRead ? bytes.length : 0;
      });
    }
    let first = whole.start === 0;
    let complete = true;
    forEachChunk(
      source.file,
      whole,
      (bytes, last) => {
        const from = first ? withoutBom(bytes) : 0;
        first = false;
        const used = reader.records(bytes, from, bytes.length, last);
        if (last && used < bytes.length) complete = false;
        return used;
      },
      (bytesRead) => {
        if (onProgress && (sink.rowCount >= nextProgress || bytesRead >= whole.end - whole.start)) {
          onProgress(bytesRead, whole.end - whole.start, sink.rowCount);
          nextProgress = sink.rowCount + PROGRESS_EVERY_ROWS;
        }
      },
    );
    return complete ? sink : undefined;
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
