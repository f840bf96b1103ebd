/**
 * Evaluates comparisons of numbers (`long`, `int`, `real`, and `datetime`/`timespan` in
 * milliseconds) over columns, with Kusto's null rules: a comparison involving null is null,
 * except that equality with exactly one null operand is false (and inequality true).
 */
import { boolConstant, boolVector, type CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import { FALSE, NULL, TRUE, type NumberVector } from './vectors';

/** A three-valued test of numbers: returns FALSE, TRUE or NULL. */
export type NumberTest = (values: readonly number[]) => number;

/** Reads one operand per position of `sel`. */
interface NumberReader {
  readonly constant: boolean;
  readonly value: number;
  readonly values: Float64Array;
  readonly byRow: boolean;
}

function reader(expression: CompiledExpression, relation: Relation, sel: Uint32Array): NumberReader {
  if (expression.kind === 'constant') {
    return { constant: true, value: expression.value as number, values: new Float64Array(0), byRow: false };
  }
  const vector = expression.evaluate(relation, sel) as NumberVector;
  return { constant: false, value: NaN, values: vector.values, byRow: vector.layout === 'rows' };
}

function read(r: NumberReader, sel: Uint32Array, i: number): number {
  return r.constant ? r.value : r.byRow ? r.values[sel[i]!]! : r.values[i]!;
}

/** A predicate over number operands, folded when all are constants. */
export function compileNumberPredicate(operands: readonly CompiledExpression[], test: NumberTest): CompiledExpression {
  if (operands.every((o) => o.kind === 'constant')) {
    return boolConstant(test(operands.map((o) => (o as { value: number }).value)));
  }
  return boolVector((relation, sel) => {
    const readers = operands.map((o) => reader(o, relation, sel));
    const out = new Uint8Array(sel.length);
    const args = new Array<number>(readers.length);
    for (let i = 0; i < sel.length; i++) {
      for (let k = 0; k < readers.length; k++) args[k] = read(readers[k]!, sel, i);
      out[i] = test(args);
    }
    return out;
  });
}

/**
 * `x between (low .. high)` where `x` is a column and the bounds constants: the common case,
 * as a tight loop. Null `x` gives null.
 */
export function compileBetweenColumnConstants(x: CompiledExpression & { kind: 'vector' }, low: number, high: number): CompiledExpression {
  return boolVector((relation, sel) => {
    const vector = x.evaluate(relation, sel) as NumberVector;
    const values = vector.values;
    const out = new Uint8Array(sel.length);
    if (Number.isNaN(low) || Number.isNaN(high)) return out.fill(NULL);
    if (vector.layout === 'rows') {
      for (let i = 0; i < sel.length; i++) {
        const v = values[sel[i]!]!;
        out[i] = v >= low && v <= high ? TRUE : v !== v ? NULL : FALSE;
      }
    } else {
      for (let i = 0; i < sel.length; i++) {
        const v = values[i]!;
        out[i] = v >= low && v <= high ? TRUE : v !== v ? NULL : FALSE;
      }
    }
    return out;
  });
}
