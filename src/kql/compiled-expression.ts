/**
 * A scalar expression after name resolution and type checking: either a constant (folded at
 * compile time, e.g. `now(-5d)` or a `let` value) or a function that computes a {@link Vector}
 * over a selection of rows.
 */
import type { Relation } from './relation';
import type { KustoType } from './types';
import { FALSE, NULL, TRUE, type ScalarValue, type Vector } from './vectors';

/** A value known at compile time. For number types `NaN` is null; for `bool`, `null` is null. */
export interface ConstantExpression {
  readonly kind: 'constant';
  readonly type: KustoType;
  readonly value: ScalarValue;
}

/** A value computed per row. */
export interface VectorExpression {
  readonly kind: 'vector';
  readonly type: KustoType;
  /** The column's name when the expression is a plain column reference. */
  readonly columnName?: string;
  /**
   * The values for the rows `sel` of `relation`: a vector of `type`, laid out by row number
   * (`rows`) or by position in `sel` (`dense`).
   */
  evaluate(relation: Relation, sel: Uint32Array): Vector;
}

/** A compiled scalar expression. */
export type CompiledExpression = ConstantExpression | VectorExpression;

/** A constant. */
export function constant(type: KustoType, value: ScalarValue): ConstantExpression {
  return { kind: 'constant', type, value };
}

/** A bool constant from a three-valued byte. */
export function boolConstant(byte: number): ConstantExpression {
  return constant('bool', byte === NULL ? null : byte === TRUE);
}

/** The three-valued byte of a bool constant. */
export function boolByte(value: ScalarValue): number {
  return value === null ? NULL : value === true ? TRUE : FALSE;
}

/** A bool expression's values over `sel`, one byte per position of `sel`. */
export function evaluateBools(expression: CompiledExpression, relation: Relation, sel: Uint32Array): Uint8Array {
  if (expression.kind === 'constant') return new Uint8Array(sel.length).fill(boolByte(expression.value));
  const vector = expression.evaluate(relation, sel);
  if (vector.type !== 'bool') throw new Error(`internal: expected a bool vector, got ${vector.type}`);
  if (vector.layout === 'dense') return vector.values;
  const out = new Uint8Array(sel.length);
  for (let i = 0; i < sel.length; i++) out[i] = vector.values[sel[i]!]!;
  return out;
}

/** A bool vector expression whose values are computed densely by `compute`. */
export function boolVector(compute: (relation: Relation, sel: Uint32Array) => Uint8Array): VectorExpression {
  return { kind: 'vector', type: 'bool', evaluate: (relation, sel) => ({ type: 'bool', layout: 'dense', values: compute(relation, sel) }) };
}
