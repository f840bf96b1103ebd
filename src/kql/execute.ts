/**
 * Runs KQL text over in-memory tables: parse, compile, run, shape the result. Synchronous; the
 * caller supplies `now` so that every `now()`/`ago()` of the query sees the same instant and tests
 * are deterministic.
 */
import type { Query } from './ast';
import { compileQuery, type QueryPlan } from './compile-query';
import { DiffersOnDataClock, movedTables } from './data-clock';
import { parseQuery } from './parser';
import type { ScanSlices } from './scan-slices';
import { toQueryResult } from './result';
import type { KqlResult } from './result-types';
import { SourceText } from './source-text';
import type { TableProvider } from './table-provider';

/** What {@link executeKql} runs against. */
export interface ExecuteKqlOptions {
  /** The tables the query may name. */
  readonly tables: TableProvider;
  /** The instant `now()` stands for in this query. */
  readonly now: Date;
  /**
   * Every datetime of the tables is seen moved by this much, in ms (a recorded sample made to look
   * recent). Default 0. The tables are not copied when the query gives the same answer on the
   * data's own clock, which every hunt does (see `data-clock.ts`).
   */
  readonly datetimeShiftMs?: number;
  /**
   * Long scans (a `where` over many rows, a big table's row numbers) run in slices, calling
   * `slices.between()` before each: a thread below the bot's event loop gives way there
   * (`threads/give-way.ts`). Absent: in one go. The answer is the same.
   */
  readonly slices?: ScanSlices;
}

/** The query compiled on the data's own clock, or `undefined` when its answer would differ there. */
function planOnDataClock(query: Query, source: SourceText, options: ExecuteKqlOptions, offsetMs: number): QueryPlan | undefined {
  try {
    return compileQuery(query, { source, tables: options.tables, now: options.now.getTime(), clock: { offsetMs }, slices: options.slices });
  } catch (error) {
    if (error instanceof DiffersOnDataClock) return undefined;
    throw error;
  }
}

/**
 * Runs `text` and returns its rows. Throws a {@link KqlError} (with the line and column) for a
 * syntax error, an unknown table or column, a type error or an unsupported construct.
 */
export function executeKql(text: string, options: ExecuteKqlOptions): KqlResult {
  const source = new SourceText(text);
  const query = parseQuery(source);
  const now = options.now.getTime();
  const shift = options.datetimeShiftMs ?? 0;
  if (shift === 0) return toQueryResult(compileQuery(query, { source, tables: options.tables, now, slices: options.slices }).run());
  if (!Number.isFinite(shift)) throw new RangeError(`datetimeShiftMs must be a finite number, not ${shift}`);
  const onDataClock = planOnDataClock(query, source, options, shift);
  if (onDataClock) return toQueryResult(onDataClock.run(), shift);
  return toQueryResult(compileQuery(query, { source, tables: movedTables(options.tables, shift), now, slices: options.slices }).run());
}

/** Whether {@link executeKql} runs `text` on the data's own clock rather than over moved tables (diagnostics, tests). */
export function runsOnDataClock(text: string, options: ExecuteKqlOptions & { readonly datetimeShiftMs: number }): boolean {
  const source = new SourceText(text);
  return planOnDataClock(parseQuery(source), source, options, options.datetimeShiftMs) !== undefined;
}
