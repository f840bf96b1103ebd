/**
 * The error for operands of types an operator cannot take.
 */
import type { BinaryExpression } from './ast';
import type { Scope } from './scope';
import type { KustoType } from './types';

/**
 * The error for operand types an operator cannot take: `unsupported` when one is dynamic (Kusto
 * converts dynamic values implicitly; the engine does not), otherwise a semantic error naming the
 * operator and the types.
 */
export function operandTypeError(node: BinaryExpression, scope: Scope, needs: string, left: KustoType, right: KustoType): Error {
  if (left === 'dynamic' || right === 'dynamic') {
    return scope.error('unsupported', `the operator '${node.operator}' on a dynamic value is not supported by the local KQL engine (convert it with tostring(), tolong(), ...)`, node.operatorStart);
  }
  return scope.error('semantic', `the operator '${node.operator}' needs ${needs}, not ${left} and ${right}`, node.operatorStart);
}
