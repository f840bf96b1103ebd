/**
 * The data flowing between the steps of a query: columns (laid out by row number) and the
 * selection of row numbers still in play, in output order. `where`, `take` and `sort` change the
 * selection without copying columns; `summarize`, `extend` and computed `project` columns
 * produce new columns over the selected rows only.
 */
import type { TableSchema } from './table';
import type { Column } from './vectors';

/** Columns and the rows of them that are selected, in order. */
export interface Relation {
  readonly schema: TableSchema;
  readonly columns: readonly Column[];
  /** Selected row numbers, in output order. */
  readonly selection: Uint32Array;
}
