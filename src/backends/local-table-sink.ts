/**
 * Where a data file's readers put rows: one growing column per schema column, in chunks (so a
 * table of tens of millions of rows never needs a doubled copy while it grows), or in growable
 * shared memory (see {@link TableSink}), handed over as a `TablePart` at the end, chunks and all
 * (the merge copies each value at most once, into shared memory).
 *
 * A reader stages a row's values column by column (`stage*`), then commits it; a column it did not
 * stage gets the column's null (`""` for strings). Strings go into a dictionary by their bytes in
 * the file: a value seen before is found by hashing and comparing its bytes, without decoding it
 * (most columns repeat a few thousand values over millions of rows); a new one is decoded once.
 * Two spellings of one string (`"A"`, `"\u0041"`) get one code: codes are unique per string, as
 * the engine expects. Rows a reader cannot take apart itself go through {@link TableSink.appendRecord}
 * with `TableBuilder`'s conversions and errors.
 */
import { ColumnValueError, columnValueConverter, NULL, type KustoType, type TableSchema } from '../kql/tables';
import { encodeDictionary, ownMemory, type PartColumn, type TablePart } from './local-shared-table';

const CHUNK = 1 << 20;
/** How many values a column in a growable shared buffer grows by at a time. */
const SHARED_STEP = 1 << 14;

type Numbers = Float64Array | Int32Array | Uint8Array;

/** Numbers of `length` elements of their own, or over the first `length` of a buffer. */
type MakeNumbers = (buffer: number | ArrayBufferLike, length?: number) => Numbers;

/**
 * A column of numbers growing in chunks of {@link CHUNK}; or, given a growable shared buffer,
 * in that buffer, {@link SHARED_STEP} values at a time, then in chunks once it cannot grow further.
 */
class ChunkedNumbers {
  private readonly full: Numbers[] = [];
  private current: Numbers;
  private at = 0;

  constructor(
    private readonly make: MakeNumbers,
    private shared?: SharedArrayBuffer,
  ) {
    this.current = shared ? make(shared, 0) : make(CHUNK);
  }

  push(value: number): void {
    if (this.at === this.current.length) this.next();
    this.current[this.at++] = value;
  }

  private next(): void {
    const shared = this.shared;
    if (shared) {
      const length = this.at + SHARED_STEP;
      if (length * this.current.BYTES_PER_ELEMENT <= shared.maxByteLength) {
        shared.grow(length * this.current.BYTES_PER_ELEMENT);
        this.current = this.make(shared, length);
        return;
      }
      this.shared = undefined;
    }
    this.full.push(this.current);
    this.current = this.make(CHUNK);
    this.at = 0;
  }

  /** The chunks' buffers, in order (the last one may be longer than its values); the column is spent. */
  takeChunks(): Array<ArrayBuffer | SharedArrayBuffer> {
    const chunks = [...this.full, this.current].map((chunk) => chunk.buffer as ArrayBuffer | SharedArrayBuffer);
    this.full.length = 0;
    this.current = this.make(0);
    this.at = 0;
    return chunks;
  }
}

const float64: MakeNumbers = (b, length) => (typeof b === 'number' ? new Float64Array(b) : new Float64Array(b, 0, length));
const int32: MakeNumbers = (b, length) => (typeof b === 'number' ? new Int32Array(b) : new Int32Array(b, 0, length));
const uint8: MakeNumbers = (b, length) => (typeof b === 'number' ? new Uint8Array(b) : new Uint8Array(b, 0, length));

/**
 * How the bytes of a string value are written in the file: as they are, as a JSON string's
 * content with backslash escapes, or as a quoted CSV field's content with doubled quotes.
 */
export const SPELLING = { plain: 0, jsonEscaped: 1, csvQuoted: 2 } as const;

/** One of {@link SPELLING}. */
export type Spelling = (typeof SPELLING)[keyof typeof SPELLING];

/**
 * Readers hash a string value's bytes while they scan it, with FNV-1a: start with `HASH_START`,
 * then `h = Math.imul(h ^ byte, FNV_PRIME)` for each byte.
 */
export const HASH_START = 0x811c9dc5 | 0;
/** See {@link HASH_START}. */
export const FNV_PRIME = 0x01000193;

/** Distinct strings and their codes, found by string or by their bytes in a file. */
class StringDictionary {
  readonly strings: string[] = [];
  private readonly byString = new Map<string, number>();
  private slots = new Int32Array(1 << 10).fill(-1);
  private rawHash = new Int32Array(1 << 9);
  private rawStart = new Float64Array(1 << 9);
  private rawLength = new Int32Array(1 << 9);
  private rawCode = new Int32Array(1 << 9);
  private rawCount = 0;
  private arena = new Uint8Array(1 << 16);
  private arenaWords = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  /** The entry of the bytes {@link codeOfBytes} last found or added. */
  lastRaw = -1;

  codeOf(text: string): number {
    let code = this.byString.get(text);
    if (code === undefined) {
      code = this.strings.push(text) - 1;
      this.byString.set(text, code);
    }
    return code;
  }

  /** The code of the string whose bytes are `[start, end)` with hash `hash`; -1 when they do not decode. */
  codeOfBytes(bytes: Buffer, words: DataView, start: number, end: number, hash: number, spelling: Spelling): number {
    // MurmurHash3's finaliser: readers hash words, whose high bits would otherwise never reach the slot number.
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    const length = end - start;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let raw = this.slots[slot]!; raw >= 0; raw = this.slots[slot]!) {
      if (this.rawHash[raw] === hash && this.rawLength[raw] === length && this.sameBytes(raw, bytes, words, start, length)) {
        this.lastRaw = raw;
        return this.rawCode[raw]!;
      }
      slot = (slot + 1) & mask;
    }
    const text = decode(bytes, start, end, spelling);
    if (text === undefined) return -1;
    const code = this.codeOf(text);
    this.lastRaw = this.remember(bytes, start, length, hash, code, slot);
    return code;
  }

  /** How many bytes entry `raw` has. */
  rawLengthOf(raw: number): number {
    return this.rawLength[raw]!;
  }

  /** The code of entry `raw` when its bytes are the bytes `[start, end)` of `bytes`, else -1. */
  codeIfSame(raw: number, bytes: Uint8Array, words: DataView, start: number, end: number): number {
    const length = end - start;
    return this.rawLength[raw] === length && this.sameBytes(raw, bytes, words, start, length) ? this.rawCode[raw]! : -1;
  }

  /** Whether raw entry `raw` is `length` bytes from `start`, compared four at a time. */
  private sameBytes(raw: number, bytes: Uint8Array, words: DataView, start: number, length: number): boolean {
    const arena = this.arenaWords;
    const from = this.rawStart[raw]!;
    let i = 0;
    for (; i + 4 <= length; i += 4) if (arena.getInt32(from + i, true) !== words.getInt32(start + i, true)) return false;
    for (; i < length; i++) if (this.arena[from + i] !== bytes[start + i]) return false;
    return true;
  }

  private remember(bytes: Uint8Array, start: number, length: number, hash: number, code: number, slot: number): number {
    if (this.arenaUsed + length > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      bigger.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = bigger;
      this.arenaWords = new DataView(bigger.buffer);
    }
    this.arena.set(bytes.subarray(start, start + length), this.arenaUsed);
    if (this.rawCount === this.rawHash.length) this.growRaw();
    const raw = this.rawCount++;
    this.rawHash[raw] = hash;
    this.rawStart[raw] = this.arenaUsed;
    this.rawLength[raw] = length;
    this.rawCode[raw] = code;
    this.arenaUsed += length;
    this.slots[slot] = raw;
    if (this.rawCount * 2 > this.slots.length) this.rehash();
    return raw;
  }

  private growRaw(): void {
    const grow = <T extends Int32Array | Float64Array>(a: T): T => {
      const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
      bigger.set(a);
      return bigger;
    };
    this.rawHash = grow(this.rawHash);
    this.rawStart = grow(this.rawStart);
    this.rawLength = grow(this.rawLength);
    this.rawCode = grow(this.rawCode);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (let raw = 0; raw < this.rawCount; raw++) {
      let slot = this.rawHash[raw]! & mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
      this.slots[slot] = raw;
    }
  }
}

function decode(bytes: Buffer, start: number, end: number, spelling: Spelling): string | undefined {
  switch (spelling) {
    case SPELLING.plain:
      return bytes.toString('utf8', start, end);
    case SPELLING.csvQuoted:
      return bytes.toString('utf8', start, end).replace(/""/g, '"');
    case SPELLING.jsonEscaped:
      try {
        return JSON.parse(bytes.toString('utf8', start - 1, end + 1)) as string;
      } catch {
        return undefined;
      }
  }
}

/** One column under construction. */
interface ColumnSink {
  readonly type: KustoType;
  readonly values: ChunkedNumbers;
  readonly dict?: StringDictionary;
  /** The stored form of null (a string column's `""`, a dynamic column's `null`). */
  readonly nullValue: number;
  /** `TableBuilder`'s conversion, for rows read the general way. */
  readonly convert: (value: unknown) => unknown;
}

function columnSink(name: string, type: KustoType, sharedRows: number | undefined): ColumnSink {
  const convert = columnValueConverter(name, type);
  const shared = (bytesPerRow: number) => (sharedRows ? new SharedArrayBuffer(0, { maxByteLength: sharedRows * bytesPerRow }) : undefined);
  switch (type) {
    case 'string': {
      const dict = new StringDictionary();
      return { type, values: new ChunkedNumbers(int32, shared(4)), dict, nullValue: dict.codeOf(''), convert };
    }
    case 'dynamic': {
      const dict = new StringDictionary();
      return { type, values: new ChunkedNumbers(int32, shared(4)), dict, nullValue: dict.codeOf('null'), convert };
    }
    case 'bool':
      return { type, values: new ChunkedNumbers(uint8, shared(1)), nullValue: NULL, convert };
    default:
      return { type, values: new ChunkedNumbers(float64, shared(8)), nullValue: NaN, convert };
  }
}

/**
 * Rows of one table under construction. Given `sharedRows`, the columns start in growable shared
 * memory reserved for that many rows (address space only, until used): the first part of a table
 * read in parts, whose columns the merge then grows in place to the whole table's and fills with
 * the other parts' rows, rather than copy it (see `local-table-merge.ts`).
 */
export class TableSink {
  private readonly sinks: readonly ColumnSink[];
  private readonly indexByName: ReadonlyMap<string, number>;
  private readonly staged: Float64Array;
  private readonly stagedIn: Int32Array;
  private generation = 1;
  private rows = 0;

  constructor(
    readonly name: string,
    readonly schema: TableSchema,
    sharedRows?: number,
  ) {
    this.sinks = schema.map((c) => columnSink(c.name, c.type, sharedRows));
    this.indexByName = new Map(schema.map((c, i) => [c.name, i]));
    this.staged = new Float64Array(schema.length);
    this.stagedIn = new Int32Array(schema.length);
  }

  /** Rows committed so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** The column index of `name`, or -1. */
  columnIndex(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  /** The column's type. */
  typeOf(column: number): KustoType {
    return this.sinks[column]!.type;
  }

  /** Starts a row: nothing staged. */
  beginRow(): void {
    this.generation++;
  }

  /** Whether `column` has a value staged in this row. */
  isStaged(column: number): boolean {
    return this.stagedIn[column] === this.generation;
  }

  /** Stages a stored value: a number (`NaN` = null), a bool byte, or a code from {@link codeOfBytes}/{@link codeOf}. */
  stage(column: number, value: number): void {
    this.staged[column] = value;
    this.stagedIn[column] = this.generation;
  }

  /** The code of a string (or a dynamic column's JSON text) whose bytes are `[start, end)` of `bytes` (also seen as `words`); -1 when they do not decode. */
  codeOfBytes(column: number, bytes: Buffer, words: DataView, start: number, end: number, hash: number, spelling: Spelling): number {
    return this.sinks[column]!.dict!.codeOfBytes(bytes, words, start, end, hash, spelling);
  }

  /**
   * The dictionary entry (a string's bytes as they were in the file) that {@link codeOfBytes} last
   * found or added in `column`: for {@link codeIfSame}.
   */
  lastEntry(column: number): number {
    return this.sinks[column]!.dict!.lastRaw;
  }

  /** How many bytes dictionary entry `entry` of `column` has. */
  entryLength(column: number, entry: number): number {
    return this.sinks[column]!.dict!.rawLengthOf(entry);
  }

  /**
   * The code of dictionary entry `entry` of `column` when the bytes `[start, end)` of `bytes` (also
   * seen as `words`) are its bytes, else -1: a reader that expects a value checks it in one pass,
   * without hashing it.
   */
  codeIfSame(column: number, entry: number, bytes: Uint8Array, words: DataView, start: number, end: number): number {
    return this.sinks[column]!.dict!.codeIfSame(entry, bytes, words, start, end);
  }

  /** The code of a string (or of a dynamic column's JSON text). */
  codeOf(column: number, text: string): number {
    return this.sinks[column]!.dict!.codeOf(text);
  }

  /** `TableBuilder`'s conversion of a JSON value for `column` (throws {@link ColumnValueError}). */
  convertValue(column: number, value: unknown): unknown {
    return this.sinks[column]!.convert(value);
  }

  /** Commits the staged row; unstaged columns get their null. */
  commitRow(): void {
    for (let c = 0; c < this.sinks.length; c++) {
      const sink = this.sinks[c]!;
      sink.values.push(this.stagedIn[c] === this.generation ? this.staged[c]! : sink.nullValue);
    }
    this.rows++;
  }

  /**
   * Appends a record of JSON values, converted as `TableBuilder.append` converts them. Throws
   * {@link ColumnValueError} (nothing appended) when a key is not a column or a value does not fit.
   */
  appendRecord(record: Readonly<Record<string, unknown>>): void {
    for (const key in record) {
      if (!this.indexByName.has(key)) throw new ColumnValueError(key, `not a column of ${this.name}`);
    }
    this.beginRow();
    for (let c = 0; c < this.sinks.length; c++) {
      const sink = this.sinks[c]!;
      const value = sink.convert(record[this.schema[c]!.name]);
      if (sink.type === 'string') this.stage(c, sink.dict!.codeOf(value as string));
      else if (sink.type === 'dynamic') this.stage(c, sink.dict!.codeOf(JSON.stringify(value)));
      else this.stage(c, value as number);
    }
    this.commitRow();
  }

  /** The table as a part: its columns in the chunks they were read into, not copied; the sink is spent. */
  toPart(): TablePart {
    const columns = this.sinks.map(
      (sink): PartColumn => ({ type: sink.type, chunks: sink.values.takeChunks(), ...(sink.dict ? encodeDictionary(sink.dict.strings, ownMemory) : {}) }),
    );
    return { name: this.name, schema: this.schema, rowCount: this.rows, columns };
  }
}
