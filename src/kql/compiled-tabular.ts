/**
 * A tabular expression after name resolution: the columns it produces and how to compute its rows.
 * A table, a `datatable`, a tabular `let` and a pipeline all compile to one.
 */
import type { Relation } from './relation';
import type { TableSchema } from './table';

/** A compiled tabular expression. */
export interface CompiledTabular {
  readonly kind: 'tabular';
  readonly schema: TableSchema;
  /** What the rows are, for messages: "table DeviceNetworkEvents", "the output of summarize". */
  readonly description: string;
  /** Computes the rows (the same rows every time: tables do not change while a query runs). */
  run(): Relation;
}

/** `tabular` with its result computed once and kept (a tabular `let` used several times). */
export function memoized(tabular: CompiledTabular): CompiledTabular {
  let result: Relation | undefined;
  return {
    ...tabular,
    run: () => {
      result ??= tabular.run();
      return result;
    },
  };
}
