/**
 * What names mean while compiling: the `let` values defined so far (constants and tabular
 * expressions), the tables, and, inside a tabular operator, the columns of its input. Columns take
 * precedence over `let` names, and `let` names over tables, as in Kusto. Names are case-sensitive.
 */
import type { ConstantExpression } from './compiled-expression';
import type { CompiledTabular } from './compiled-tabular';
import type { DataClock } from './data-clock';
import type { KqlError, KqlErrorKind } from './errors';
import type { ScanSlices } from './scan-slices';
import type { SourceText } from './source-text';
import type { TableSchema } from './table';
import type { TableProvider } from './table-provider';

/** The input of a tabular operator. */
export interface RowScope {
  /** What the rows are, for messages: the table name, or "the output of summarize". */
  readonly description: string;
  readonly schema: TableSchema;
}

/** A `let` value: a constant or a tabular expression. */
export type LetValue = ConstantExpression | CompiledTabular;

/** A compile-time scope. */
export class Scope {
  constructor(
    readonly source: SourceText,
    /** The query's `now()`, in ms since the epoch: one instant for the whole query. */
    readonly now: number,
    readonly tables: TableProvider,
    readonly lets: ReadonlyMap<string, LetValue> = new Map(),
    readonly row?: RowScope,
    /** Set when the query runs on the data's own clock (see `data-clock.ts`); `now` is on it already. */
    readonly clock?: DataClock,
    /** Set when long scans run in slices (see `scan-slices.ts`). */
    readonly slices?: ScanSlices,
  ) {}

  /** This scope with one more `let` value (shadowing an earlier one of the same name). */
  withLet(name: string, value: LetValue): Scope {
    return new Scope(this.source, this.now, this.tables, new Map([...this.lets, [name, value]]), this.row, this.clock, this.slices);
  }

  /** This scope inside a tabular operator whose input is `row`. */
  withRow(row: RowScope): Scope {
    return new Scope(this.source, this.now, this.tables, this.lets, row, this.clock, this.slices);
  }

  /** This scope outside any tabular operator (for a tabular expression nested in a scalar one). */
  withoutRow(): Scope {
    return new Scope(this.source, this.now, this.tables, this.lets, undefined, this.clock, this.slices);
  }

  /** An error at `offset` of the query text. */
  error(kind: KqlErrorKind, detail: string, offset: number): KqlError {
    return this.source.error(kind, detail, offset);
  }
}
