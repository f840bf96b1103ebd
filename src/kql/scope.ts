/**
 * What names mean while compiling: the `let` constants defined so far and, inside a tabular
 * operator, the columns of its input. Columns take precedence over `let` names, as in Kusto.
 * Names are case-sensitive.
 */
import type { ConstantExpression } from './compiled-expression';
import type { KqlError, KqlErrorKind } from './errors';
import type { SourceText } from './source-text';
import type { TableSchema } from './table';

/** The input of a tabular operator. */
export interface RowScope {
  /** What the rows are, for messages: the table name, or "the summarize output". */
  readonly description: string;
  readonly schema: TableSchema;
}

/** A compile-time scope. */
export class Scope {
  constructor(
    readonly source: SourceText,
    /** The query's `now()`, in ms since the epoch: one instant for the whole query. */
    readonly now: number,
    readonly lets: ReadonlyMap<string, ConstantExpression> = new Map(),
    readonly row?: RowScope,
  ) {}

  /** This scope with one more `let` constant (shadowing an earlier one of the same name). */
  withLet(name: string, value: ConstantExpression): Scope {
    return new Scope(this.source, this.now, new Map([...this.lets, [name, value]]), this.row);
  }

  /** This scope inside a tabular operator whose input is `row`. */
  withRow(row: RowScope): Scope {
    return new Scope(this.source, this.now, this.lets, row);
  }

  /** An error at `offset` of the query text. */
  error(kind: KqlErrorKind, detail: string, offset: number): KqlError {
    return this.source.error(kind, detail, offset);
  }
}
