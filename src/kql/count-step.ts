/**
 * `| count`: one row, one `long` column `Count`: how many rows the input has.
 */
import type { Step } from './step';
import type { TableSchema } from './table';

const SCHEMA: TableSchema = [{ name: 'Count', type: 'long' }];

/** Compiles a count operator. */
export function compileCount(): Step {
  return {
    schema: SCHEMA,
    run: (relation) => ({ schema: SCHEMA, columns: [{ type: 'long', layout: 'rows', values: Float64Array.of(relation.selection.length) }], selection: Uint32Array.of(0) }),
  };
}
