/**
 * `| where predicate`: keeps the rows for which the predicate is true (false and null drop the
 * row, as in Kusto). It narrows the selection; no column is copied. When the scope asks for
 * slices (`scan-slices.ts`), the predicate runs over a slice of the selection at a time.
 */
import type { WhereOperator } from './ast';
import { compileExpression } from './compile-expression';
import { evaluateBools, type CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import { forEachSlice, type ScanSlices } from './scan-slices';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import { selectTrue } from './vectors';

/** The rows of `relation` the predicate keeps, a slice of its selection at a time: the selection itself when it keeps them all. */
function keptInSlices(predicate: CompiledExpression, relation: Relation, slices: ScanSlices): Uint32Array {
  const sel = relation.selection;
  const kept: Uint32Array[] = [];
  let count = 0;
  forEachSlice(sel.length, slices, (from, to) => {
    const slice = sel.subarray(from, to);
    const rows = selectTrue(evaluateBools(predicate, relation, slice), slice);
    kept.push(rows);
    count += rows.length;
  });
  if (count === sel.length) return sel;
  const out = new Uint32Array(count);
  let at = 0;
  for (const rows of kept) {
    out.set(rows, at);
    at += rows.length;
  }
  return out;
}

/** Compiles a where operator over the rows described by `input`. */
export function compileWhere(operator: WhereOperator, input: RowScope, scope: Scope): Step {
  const predicate = compileExpression(operator.predicate, scope.withRow(input));
  if (predicate.type !== 'bool') {
    throw scope.error('semantic', `the where predicate must be a bool, not ${predicate.type}`, operator.predicate.start);
  }
  const { slices } = scope;
  return {
    schema: input.schema,
    run: (relation) => ({
      ...relation,
      selection: slices ? keptInSlices(predicate, relation, slices) : selectTrue(evaluateBools(predicate, relation, relation.selection), relation.selection),
    }),
  };
}
