/**
 * Reading evidence rows: typed values out of a backend's row, checked for the shape the query
 * promises ({@link ResultShapeError} otherwise), and telemetry text made safe to hold: clipped to
 * a bounded length, sets bounded with a count of what was cut. Text stays text: nothing here
 * interprets it.
 */
import type { ResultValue } from '../backends/backend';
import { ResultShapeError } from './finding';

/** A row as backends return it. */
export type Row = Readonly<Record<string, ResultValue>>;

/** A bounded set: the values kept, how many distinct values there were in all, how many were cut. */
export interface Bounded<T> {
  readonly values: readonly T[];
  /** Distinct values in all (at least `values.length`). */
  readonly total: number;
  /** `total - values.length`: for "and N more". */
  readonly more: number;
}

/** The longest telemetry text kept, in characters; longer text is cut and ends with `…`. */
export const MAX_TEXT = 512;

/** `text`, cut to {@link MAX_TEXT} characters (whole code points) with `…` when longer. */
export function clip(text: string): string {
  if (text.length <= MAX_TEXT) return text;
  return `${Array.from(text).slice(0, MAX_TEXT - 1).join('')}…`;
}

/** A bounded set of `values` with `total` distinct values in all. */
export function bounded<T>(values: readonly T[], total: number): Bounded<T> {
  const all = Math.max(total, values.length);
  return { values, total: all, more: all - values.length };
}

/** Reads the columns of one row; every reader throws {@link ResultShapeError} naming the row and column. */
export class RowReader {
  constructor(
    private readonly row: Row,
    private readonly index: number,
  ) {}

  private fail(column: string, what: string): ResultShapeError {
    return new ResultShapeError(`row ${this.index}: ${column} is not ${what}`);
  }

  /** A string column (clipped). */
  text(column: string): string {
    const value = this.row[column];
    if (typeof value !== 'string') throw this.fail(column, 'a string');
    return clip(value);
  }

  /** A string column that may be missing or null (a left-outer lookup without a match): `''` then. */
  optionalText(column: string): string {
    const value = this.row[column];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw this.fail(column, 'a string');
    return clip(value);
  }

  /** A number column. */
  number(column: string): number {
    const value = this.row[column];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(column, 'a number');
    return value;
  }

  /** A number column that may be null or missing. */
  optionalNumber(column: string): number | null {
    const value = this.row[column];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(column, 'a number');
    return value;
  }

  /** A bool column that may be null or missing. */
  optionalBool(column: string): boolean | null {
    const value = this.row[column];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'boolean') throw this.fail(column, 'a bool');
    return value;
  }

  /** A datetime column. */
  time(column: string): Date {
    const time = this.optionalTime(column);
    if (!time) throw this.fail(column, 'a datetime');
    return time;
  }

  /** A datetime column that may be null or missing. */
  optionalTime(column: string): Date | null {
    const value = this.row[column];
    if (value === undefined || value === null) return null;
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) throw this.fail(column, 'a datetime');
    return new Date(ms);
  }

  /**
   * A bounded set: the array in `column` (`make_set`: JSON values, or JSON text from a backend that
   * returns it so), its strings clipped, and its distinct count in `countColumn`.
   */
  set(column: string, countColumn: string): Bounded<string> {
    let value: unknown = this.row[column];
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw this.fail(column, 'a JSON array');
      }
    }
    if (value === null || value === undefined) value = [];
    if (!Array.isArray(value)) throw this.fail(column, 'an array');
    const values = value.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map((v) => clip(String(v)));
    return bounded(values, this.optionalNumber(countColumn) ?? values.length);
  }
}

/** A section of rows: those kept, and how many there were in all (the query's `Total`). */
export interface Section<T> {
  readonly rows: readonly T[];
  readonly total: number;
  /** Rows not kept: for "and N more". */
  readonly more: number;
}

/** The rows of a capped query, each read by `read`, with its `Total`. */
export function section<T>(rows: readonly Row[], read: (reader: RowReader) => T): Section<T> {
  const kept = rows.map((row, index) => read(new RowReader(row, index)));
  const totals = rows.map((row) => row.Total).filter((t): t is number => typeof t === 'number' && Number.isFinite(t));
  const total = Math.max(kept.length, ...totals);
  return { rows: kept, total, more: total - kept.length };
}
