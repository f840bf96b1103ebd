/**
 * The shape of a scalar function's compiler, and the argument checks they share.
 */
import type { CallExpression } from './ast';
import type { CompiledExpression } from './compiled-expression';
import type { Scope } from './scope';
import type { KustoType } from './types';

/** Compiles a call from its compiled arguments. */
export type ScalarFunctionCompiler = (args: readonly CompiledExpression[], call: CallExpression, scope: Scope) => CompiledExpression;

/** Throws a semantic error unless there are `min` to `max` arguments. */
export function arity(call: CallExpression, scope: Scope, args: readonly CompiledExpression[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw scope.error('semantic', `${call.name}() takes ${expected} argument${max === 1 ? '' : 's'}, not ${args.length}`, call.start);
  }
}

/** Throws a semantic error unless argument `index` has one of `types`. */
export function requireType(call: CallExpression, scope: Scope, args: readonly CompiledExpression[], index: number, types: readonly KustoType[]): void {
  const type = args[index]!.type;
  if (type === 'dynamic' && !types.includes(type)) {
    throw scope.error('unsupported', `a dynamic argument of ${call.name}() is not supported by the local KQL engine (convert it with tostring(), tolong(), ...)`, call.args[index]!.start);
  }
  if (!types.includes(type)) {
    throw scope.error('semantic', `argument ${index + 1} of ${call.name}() must be ${types.join(' or ')}, not ${type}`, call.args[index]!.start);
  }
}
