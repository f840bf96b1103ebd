/**
 * `| where predicate`: keeps the rows for which the predicate is true (false and null drop the
 * row, as in Kusto). It narrows the selection; no column is copied.
 */
import type { WhereOperator } from './ast';
import { compileExpression } from './compile-expression';
import { evaluateBools } from './compiled-expression';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import { selectTrue } from './vectors';

/** Compiles a where operator over the rows described by `input`. */
export function compileWhere(operator: WhereOperator, input: RowScope, scope: Scope): Step {
  const predicate = compileExpression(operator.predicate, scope.withRow(input));
  if (predicate.type !== 'bool') {
    throw scope.error('semantic', `the where predicate must be a bool, not ${predicate.type}`, operator.predicate.start);
  }
  return {
    schema: input.schema,
    run: (relation) => ({
      ...relation,
      selection: selectTrue(evaluateBools(predicate, relation, relation.selection), relation.selection),
    }),
  };
}
