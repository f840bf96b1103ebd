/**
 * `x between (low .. high)`: `low <= x <= high`, inclusive at both ends. `x`, `low`, `high` are
 * numbers (`int`, `long`, `real`), datetimes or timespans of the same kind; when `x` and `low` are
 * datetimes, `high` may be a timespan meaning `low + high` (Kusto's between operator). A null
 * anywhere gives null, so the row is not kept by `where`. `x !between (low .. high)` is
 * `not(x between (low .. high))`: null stays null.
 */
import type { BetweenExpression } from './ast';
import type { CompiledExpression } from './compiled-expression';
import { compileNot } from './logical-operators';
import { compileBetweenColumnConstants, compileNumberPredicate } from './number-predicates';
import type { Scope } from './scope';
import { isNumeric, type KustoType } from './types';
import { FALSE, NULL, TRUE } from './vectors';

function family(type: KustoType): string | undefined {
  if (isNumeric(type)) return 'number';
  return type === 'datetime' || type === 'timespan' ? type : undefined;
}

/** Compiles a between expression from its compiled operands. */
export function compileBetween(
  x: CompiledExpression,
  low: CompiledExpression,
  high: CompiledExpression,
  node: BetweenExpression,
  scope: Scope,
): CompiledExpression {
  const operator = node.negated ? '!between' : 'between';
  const kind = family(x.type);
  if (!kind) throw scope.error('semantic', `'${operator}' needs a number, datetime or timespan on its left, not ${x.type}`, node.operatorStart);
  if (family(low.type) !== kind) throw scope.error('semantic', `the lower bound of '${operator}' must be a ${x.type}, not ${low.type}`, node.low.start);
  const highIsSpan = kind === 'datetime' && high.type === 'timespan';
  if (family(high.type) !== kind && !highIsSpan) {
    throw scope.error('semantic', `the upper bound of '${operator}' must be a ${x.type}${kind === 'datetime' ? ' or a timespan' : ''}, not ${high.type}`, node.high.start);
  }
  let between: CompiledExpression;
  if (x.kind === 'vector' && low.kind === 'constant' && high.kind === 'constant') {
    const lowValue = low.value as number;
    const highValue = highIsSpan ? lowValue + (high.value as number) : (high.value as number);
    between = compileBetweenColumnConstants(x, lowValue, highValue);
  } else {
    between = compileNumberPredicate([x, low, high], ([v, lo, hi]) => {
    const upper = highIsSpan ? lo! + hi! : hi!;
    if (v !== v || lo !== lo || upper !== upper) return NULL;
    return v! >= lo! && v! <= upper ? TRUE : FALSE;
    });
  }
  return node.negated ? compileNot(between) : between;
}
