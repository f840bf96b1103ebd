/**
 * A compiled tabular operator: the schema it produces and how it turns its input rows into its
 * output rows.
 */
import type { Relation } from './relation';
import type { TableSchema } from './table';

/** One step of a query's pipeline. */
export interface Step {
  /** The columns of the step's output. */
  readonly schema: TableSchema;
  run(input: Relation): Relation;
}
