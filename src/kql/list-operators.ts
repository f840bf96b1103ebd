/**
 * Operators whose right side is a parenthesised list, by their KQL spelling: `has_any`.
 * `x has_any (a, b)` is `x has a or x has b` (see `term-match.ts`).
 */
import type { ListOperatorExpression } from './ast';
import { guardNeedles } from './binary-operators';
import { boolConstant, boolVector, type CompiledExpression } from './compiled-expression';
import type { Scope } from './scope';
import { matchStrings } from './string-predicates';
import { prepareHas } from './term-match';
import { FALSE, TRUE, type StringVector } from './vectors';

/** Compiles `operand op (items...)`. */
export type ListOperatorCompiler = (
  operand: CompiledExpression,
  items: readonly CompiledExpression[],
  node: ListOperatorExpression,
  scope: Scope,
) => CompiledExpression;

const hasAny: ListOperatorCompiler = (operand, items, node, scope) => {
  if (operand.type !== 'string') {
    throw scope.error('semantic', `the operator 'has_any' needs a string on its left, not ${operand.type}`, node.operatorStart);
  }
  const matchers = items.map((item, i) => {
    const at = node.items[i]!.start;
    if (item.type === 'dynamic') throw scope.error('unsupported', "a dynamic array in 'has_any' is not supported by the local KQL engine", at);
    if (item.type !== 'string') throw scope.error('semantic', `'has_any' needs string values, not ${item.type}`, at);
    if (item.kind !== 'constant') throw scope.error('unsupported', "a column in the list of 'has_any' is not supported by the local KQL engine", at);
    return guardNeedles(prepareHas, 'has_any', at, scope)(item.value as string);
  });
  const matcher = (value: string): boolean => matchers.some((m) => m(value));
  if (operand.kind === 'constant') return boolConstant(matcher(operand.value as string) ? TRUE : FALSE);
  return boolVector((relation, sel) => matchStrings(operand.evaluate(relation, sel) as StringVector, sel, matcher));
};

/** The supported list operators. */
export const LIST_OPERATORS: ReadonlyMap<string, ListOperatorCompiler> = new Map([['has_any', hasAny]]);
