/**
 * Queries over tables whose datetimes are all to be seen moved by one offset (a recorded sample
 * made to look recent: the local backend moves it by now − the instant it was recorded), without
 * moving them.
 *
 * Moving them means a copy of every datetime column of every table a query reads, per query (the
 * offset changes with the clock): at 10 million rows, hundreds of megabytes and most of a
 * second each time. Instead the query runs on the data's own clock:
 *
 * - the tables as they are;
 * - `now()` at now − offset, so `ago(t)` and `now(t)` move with it (the query's clock is the data's);
 * - each datetime literal (`datetime(2024-06-01)`, in the query, a `let` or a `datatable`) moved
 *   by −offset: a literal names an instant of the real calendar, which on the data's clock is
 *   that much earlier;
 * - each datetime of the result moved by +offset, back to the real calendar.
 *
 * That gives the answer the moved tables give whenever the query only compares datetimes, orders
 * them, subtracts them or adds timespans to them: `T + d ≥ C` ⟺ `T ≥ C − d`, `between` the same,
 * `min(T + d) = min(T) + d` (also `max`, `arg_min`, `arg_max`, `take_any`), `(T + d) − (U + d) =
 * T − U`, and equality (`==`, `in`, `dcount`, grouping, joining) and order (`sort`, `top`) are the
 * same on both clocks; `iff`, `case`, `coalesce`, `isnull` and the like only pass datetimes on.
 * That is every query the hunt builders emit and every public rule. What depends on where a
 * datetime falls on the calendar (`bin`, `startofday`, `tostring` and `strcat` of a datetime, a
 * set or list of datetimes — held as text —) or makes a datetime from something else (`todatetime`
 * of text) would differ: a query that does any of that anywhere is compiled again over moved
 * tables, so it gets the moved tables' answer too, at the old price. {@link requireSameOnDataClock}
 * is the guard the compiler calls where such a construct is compiled.
 *
 * Exactness: the two clocks agree bit for bit when the additions they move by are exact in
 * doubles, which holds for whole milliseconds (every instant in the data sets and any anchor with
 * whole milliseconds) and, for sub-millisecond ticks, when the instants and their moved values lie
 * between 2004-11-04 and 2039-09-07 (where doubles are evenly spaced); elsewhere a comparison at
 * the exact boundary can differ in the last bit of a double.
 */
import type { CompiledExpression } from './compiled-expression';
import { Table } from './table';
import type { TableProvider } from './table-provider';

/** The tables' datetimes are `offsetMs` behind the calendar the query is asked on. */
export interface DataClock {
  readonly offsetMs: number;
}

/** Thrown while compiling on the data's clock at a construct whose answer would differ there. */
export class DiffersOnDataClock extends Error {
  constructor(readonly construct: string) {
    super(`${construct} depends on where a datetime falls on the calendar`);
    this.name = 'DiffersOnDataClock';
  }
}

/** Functions whose datetime arguments are only compared, tested for null or passed on. */
const PASSING_FUNCTIONS = new Set(['iff', 'iif', 'case', 'coalesce', 'isnull', 'isnotnull', 'isempty', 'isnotempty']);

/** Functions of the query's clock: they read `Scope.now`, which is the data's clock already. */
const CLOCK_FUNCTIONS = new Set(['now', 'ago']);

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** Refuses the data's clock (see the file comment) when compiling on it (`clock`) and `construct` is not the `same` there. */
export function requireSameOnDataClock(clock: DataClock | undefined, same: boolean, construct: string): void {
  if (clock && !same) throw new DiffersOnDataClock(construct);
}

/** The guard for a function call: a datetime argument must be passed on; no datetime may be made from anything else. */
export function checkCall(clock: DataClock | undefined, name: string, args: readonly CompiledExpression[], result: CompiledExpression): void {
  if (!clock || CLOCK_FUNCTIONS.has(name)) return;
  const datetimeIn = args.some((a) => a.type === 'datetime');
  requireSameOnDataClock(clock, datetimeIn ? PASSING_FUNCTIONS.has(name) : result.type !== 'datetime', `${name}()`);
}

/** The guard for a binary operator: comparisons of two datetimes, their difference, a datetime ± a timespan. */
export function checkBinary(clock: DataClock | undefined, operator: string, left: CompiledExpression, right: CompiledExpression): void {
  if (!clock || (left.type !== 'datetime' && right.type !== 'datetime')) return;
  const both = left.type === 'datetime' && right.type === 'datetime';
  const same =
    (COMPARISONS.has(operator) && both) ||
    (operator === '-' && (both || right.type === 'timespan')) ||
    (operator === '+' && (left.type === 'timespan' || right.type === 'timespan'));
  requireSameOnDataClock(clock, same, `'${operator}'`);
}

/** A datetime literal's value on `clock` (none: the calendar's). */
export function datetimeLiteral(clock: DataClock | undefined, ms: number): number {
  return clock ? ms - clock.offsetMs : ms;
}

/** `tables` with every datetime moved by `offsetMs`, each table moved once, when a query first names it. */
export function movedTables(tables: TableProvider, offsetMs: number): TableProvider {
  const moved = new Map<string, Table | undefined>();
  return {
    getTable(name) {
      if (!moved.has(name)) moved.set(name, tables.getTable(name)?.withShiftedDatetimes(offsetMs));
      return moved.get(name);
    },
  };
}
