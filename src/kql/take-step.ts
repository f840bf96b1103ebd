/**
 * `| take N` / `| limit N`: the first N rows (Kusto: any N rows; the engine keeps the input order).
 */
import type { Expression, TakeOperator } from './ast';
import { compileExpression } from './compile-expression';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';

/** The row count of `take`/`top`: a whole-number constant, not negative. */
export function rowCount(node: Expression, scope: Scope, operator: string): number {
  const count = compileExpression(node, scope.withoutRow());
  if (count.kind !== 'constant' || (count.type !== 'long' && count.type !== 'int') || (count.value as number) !== (count.value as number)) {
    throw scope.error('semantic', `the row count of ${operator} must be a whole-number constant`, node.start);
  }
  if ((count.value as number) < 0) throw scope.error('semantic', `the row count of ${operator} cannot be negative`, node.start);
  return count.value as number;
}

/** Compiles a take operator. */
export function compileTake(operator: TakeOperator, input: RowScope, scope: Scope): Step {
  const count = rowCount(operator.count, scope, 'take');
  return { schema: input.schema, run: (relation) => ({ ...relation, selection: relation.selection.subarray(0, count) }) };
}
