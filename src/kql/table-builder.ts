/**
 * Builds a {@link Table} one record at a time, converting JSON values to the schema's types
 * strictly: a value of the wrong type is an error naming the column, never a silent null.
 *
 * | type | accepts | null / absent |
 * |---|---|---|
 * | `string` | a string; a JSON array or object is kept as its JSON text (as Kusto ingests JSON into a string column) | `""` (Kusto strings are never null) |
 * | `datetime` | an ISO 8601 string (no zone = UTC) | null; `""` too |
 * | `timespan` | `[-][d.]hh:mm:ss[.fffffff]` | null; `""` too |
 * | `long`, `int` | an integral number (`int`: 32-bit) | null |
 * | `real` | a number | null |
 * | `bool` | `true`, `false` | null |
 * | `dynamic` | any JSON value | null |
 *
 * A record key that is not a column of the schema is an error too (a misspelt column would
 * otherwise load as nulls).
 */
import { parseDatetimeValue } from './datetime';
import { Table, validateSchema, type TableSchema } from './table';
import { parseTimespanText } from './timespan';
import type { KustoType } from './types';
import { FALSE, NULL, TRUE, type Column } from './vectors';

/** A value that does not fit its column. */
export class ColumnValueError extends Error {
  constructor(
    readonly column: string,
    readonly detail: string,
  ) {
    super(`column ${column}: ${detail}`);
    this.name = 'ColumnValueError';
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Converts a value for its column (throwing when it does not fit), then stores converted values. */
interface ColumnBuilder<T> {
  convert(value: unknown): T;
  push(converted: T): void;
  build(): Column;
}

class GrowableFloat64 {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

class StringBuilder implements ColumnBuilder<string> {
  private codes = new Int32Array(1024);
  private count = 0;
  private readonly dict: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly name: string) {}

  convert(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined) return '';
    if (typeof value === 'object') return JSON.stringify(value);
    throw new ColumnValueError(this.name, `expected a string, got ${describe(value)}`);
  }

  push(text: string): void {
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.dict.length;
      this.dict.push(text);
      this.index.set(text, code);
    }
    if (this.count === this.codes.length) {
      const bigger = new Int32Array(this.codes.length * 2);
      bigger.set(this.codes);
      this.codes = bigger;
    }
    this.codes[this.count++] = code;
  }

  build(): Column {
    return { type: 'string', layout: 'rows', codes: this.codes.slice(0, this.count), dict: this.dict.slice() };
  }
}

/**
 * Remembers parsed datetime texts while that pays: columns such as `CertificateCreationTime`
 * repeat a few values over millions of rows; `Timestamp` repeats none, so its memory switches
 * itself off after a few thousand misses.
 */
class DatetimeMemo {
  private memo: Map<string, number> | undefined = new Map();
  private lookups = 0;
  private hits = 0;

  get(text: string): number | undefined {
    if (!this.memo) return undefined;
    this.lookups++;
    const ms = this.memo.get(text);
    if (ms !== undefined) this.hits++;
    else if (this.lookups >= 4096 && this.hits * 2 < this.lookups) this.memo = undefined;
    return ms;
  }

  set(text: string, ms: number): void {
    if (this.memo && this.memo.size < 65_536) this.memo.set(text, ms);
  }
}

class NumberBuilder implements ColumnBuilder<number> {
  private readonly values = new GrowableFloat64();
  private readonly memo = new DatetimeMemo();

  constructor(
    private readonly name: string,
    private readonly type: 'datetime' | 'timespan' | 'long' | 'int' | 'real',
  ) {}

  convert(value: unknown): number {
    if (value === null || value === undefined) return NaN;
    switch (this.type) {
      case 'datetime': {
        if (value === '') return NaN;
        if (typeof value === 'string') {
          const known = this.memo.get(value);
          if (known !== undefined) return known;
        }
        const ms = typeof value === 'string' ? parseDatetimeValue(value) : undefined;
        if (ms === undefined) throw new ColumnValueError(this.name, `expected an ISO 8601 datetime string, got ${describe(value)}`);
        this.memo.set(value as string, ms);
        return ms;
      }
      case 'timespan': {
        if (value === '') return NaN;
        const ms = typeof value === 'string' ? parseTimespanText(value) : undefined;
        if (ms === undefined) throw new ColumnValueError(this.name, `expected a timespan like "1.02:03:04", got ${describe(value)}`);
        return ms;
      }
      case 'long':
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        throw new ColumnValueError(this.name, `expected an integer (long), got ${describe(value)}`);
      case 'int':
        if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return value;
        throw new ColumnValueError(this.name, `expected a 32-bit integer (int), got ${describe(value)}`);
      case 'real':
        if (typeof value === 'number') return value;
        throw new ColumnValueError(this.name, `expected a number (real), got ${describe(value)}`);
    }
  }

  push(value: number): void {
    this.values.push(value);
  }

  build(): Column {
    return { type: this.type, layout: 'rows', values: this.values.toArray() };
  }
}

class BoolBuilder implements ColumnBuilder<number> {
  private values = new Uint8Array(1024);
  private count = 0;

  constructor(private readonly name: string) {}

  convert(value: unknown): number {
    if (value === true) return TRUE;
    if (value === false) return FALSE;
    if (value === null || value === undefined) return NULL;
    throw new ColumnValueError(this.name, `expected true or false, got ${describe(value)}`);
  }

  push(byte: number): void {
    if (this.count === this.values.length) {
      const bigger = new Uint8Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = byte;
  }

  build(): Column {
    return { type: 'bool', layout: 'rows', values: this.values.slice(0, this.count) };
  }
}

class DynamicBuilder implements ColumnBuilder<unknown> {
  private readonly values: unknown[] = [];
  convert(value: unknown): unknown {
    return value === undefined ? null : value;
  }
  push(value: unknown): void {
    this.values.push(value);
  }
  build(): Column {
    return { type: 'dynamic', layout: 'rows', values: this.values };
  }
}

function columnBuilder(name: string, type: KustoType): ColumnBuilder<unknown> {
  switch (type) {
    case 'string':
      return new StringBuilder(name) as ColumnBuilder<unknown>;
    case 'bool':
      return new BoolBuilder(name) as ColumnBuilder<unknown>;
    case 'dynamic':
      return new DynamicBuilder();
    default:
      return new NumberBuilder(name, type) as ColumnBuilder<unknown>;
  }
}

/**
 * The conversion {@link TableBuilder} applies to a value of a column of `type`, as a function:
 * the stored form (a string; a number, `NaN` for null; a bool byte; a JSON value) or a thrown
 * {@link ColumnValueError}. For loaders that store columns their own way with the same rules.
 */
export function columnValueConverter(name: string, type: KustoType): (value: unknown) => unknown {
  const builder = columnBuilder(name, type);
  return (value) => builder.convert(value);
}

/** Appends records to a table under construction. */
export class TableBuilder {
  private readonly builders: ReadonlyArray<ColumnBuilder<unknown>>;
  private readonly known: ReadonlySet<string>;
  private readonly staged: unknown[];
  private count = 0;

  constructor(
    readonly name: string,
    readonly schema: TableSchema,
  ) {
    validateSchema(name, schema);
    this.builders = schema.map((c) => columnBuilder(c.name, c.type));
    this.known = new Set(schema.map((c) => c.name));
    this.staged = new Array<unknown>(schema.length);
  }

  /** Records appended so far. */
  get rowCount(): number {
    return this.count;
  }

  /**
   * Appends one record. Throws {@link ColumnValueError} when a value does not fit its column or a
   * key is not a column; the table is then unchanged.
   */
  append(record: Readonly<Record<string, unknown>>): void {
    for (const key in record) {
      if (!this.known.has(key)) throw new ColumnValueError(key, `not a column of ${this.name}`);
    }
    for (let i = 0; i < this.builders.length; i++) this.staged[i] = this.builders[i]!.convert(record[this.schema[i]!.name]);
    for (let i = 0; i < this.builders.length; i++) this.builders[i]!.push(this.staged[i]);
    this.count++;
  }

  /** The table built so far. */
  build(): Table {
    return new Table(
      this.name,
      this.schema,
      this.builders.map((b) => b.build()),
      this.count,
    );
  }
}
