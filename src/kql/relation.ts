/**
 * The data flowing between the steps of a query: columns (laid out by row number) and the
 * selection of row numbers still in play. `where` narrows the selection without copying columns;
 * `summarize` produces new, small columns.
 */
import type { TableSchema } from './table';
import type { Column } from './vectors';

/** Columns and the rows of them that are selected, in order. */
export interface Relation {
  readonly schema: TableSchema;
  readonly columns: readonly Column[];
  /** Selected row numbers, ascending. */
  readonly selection: Uint32Array;
}
