/**
 * The scalar functions the engine evaluates, by name (case-sensitive, as in Kusto):
 * `now([offset])`, `ago(timespan)` and `not(bool)`. `now()` is the instant the caller gave the
 * query, the same for every call in it (Kusto: "the current UTC time ... stays the same across all
 * uses of now() in a single query statement"); `now(offset)` is that instant plus `offset`,
 * `ago(t)` that instant minus `t`.
 */
import type { CallExpression } from './ast';
import { constant, type CompiledExpression } from './compiled-expression';
import { compileNot } from './logical-operators';
import type { Scope } from './scope';

/** Compiles a call from its compiled arguments. */
export type ScalarFunctionCompiler = (args: readonly CompiledExpression[], call: CallExpression, scope: Scope) => CompiledExpression;

function arity(call: CallExpression, scope: Scope, min: number, max: number, args: readonly CompiledExpression[]): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw scope.error('semantic', `${call.name}() takes ${expected} argument${max === 1 ? '' : 's'}, not ${args.length}`, call.start);
  }
}

function constantTimespan(call: CallExpression, scope: Scope, arg: CompiledExpression, index: number): number {
  const at = call.args[index]!.start;
  if (arg.type !== 'timespan') throw scope.error('semantic', `the argument of ${call.name}() must be a timespan, not ${arg.type}`, at);
  if (arg.kind !== 'constant') throw scope.error('unsupported', `${call.name}() of a column is not supported by the local KQL engine`, at);
  return arg.value as number;
}

/** The supported scalar functions. */
export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunctionCompiler> = new Map<string, ScalarFunctionCompiler>([
  [
    'now',
    (args, call, scope) => {
      arity(call, scope, 0, 1, args);
      return constant('datetime', args.length === 0 ? scope.now : scope.now + constantTimespan(call, scope, args[0]!, 0));
    },
  ],
  [
    'ago',
    (args, call, scope) => {
      arity(call, scope, 1, 1, args);
      return constant('datetime', scope.now - constantTimespan(call, scope, args[0]!, 0));
    },
  ],
  [
    'not',
    (args, call, scope) => {
      arity(call, scope, 1, 1, args);
      if (args[0]!.type !== 'bool') throw scope.error('semantic', `not() needs a bool argument, not ${args[0]!.type}`, call.args[0]!.start);
      return compileNot(args[0]!);
    },
  ],
]);
