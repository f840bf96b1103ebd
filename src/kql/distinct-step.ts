/**
 * `| distinct column, ...` and `| distinct *`: one row per distinct combination of values, in the
 * order the combinations first appear: a summarize by those columns with no aggregation.
 */
import type { DistinctOperator } from './ast';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import { compileGrouping } from './summarize-step';

/** Compiles a distinct operator over the rows described by `input`. */
export function compileDistinct(operator: DistinctOperator, input: RowScope, scope: Scope): Step {
  if (operator.star) {
    const dynamic = input.schema.find((c) => c.type === 'dynamic');
    if (dynamic) throw scope.error('unsupported', `distinct * over the dynamic column '${dynamic.name}' is not supported by the local KQL engine`, operator.start);
    const by = input.schema.map((c) => ({ expression: { kind: 'name' as const, name: c.name, start: operator.start } }));
    return compileGrouping({ aggregates: [], by }, input, scope);
  }
  return compileGrouping({ aggregates: [], by: operator.items }, input, scope);
}
