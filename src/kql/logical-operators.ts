/**
 * `and`, `or` and `not()` with Kusto's three-valued logic: `null and false` is false,
 * `null or true` is true, otherwise a null operand makes the result null; `not(null)` is null.
 * The right operand of `and` is evaluated only for rows where the left is not false (of `or`:
 * not true), so a cheap first filter spares the second one most rows.
 */
import {
  boolByte,
  boolConstant,
  boolVector,
  evaluateBools,
  type CompiledExpression,
} from './compiled-expression';
import { FALSE, NULL, TRUE } from './vectors';

/** Kleene `and` of two bytes. */
function andBytes(a: number, b: number): number {
  return a === FALSE || b === FALSE ? FALSE : a === TRUE && b === TRUE ? TRUE : NULL;
}

/** Kleene `or` of two bytes. */
function orBytes(a: number, b: number): number {
  return a === TRUE || b === TRUE ? TRUE : a === FALSE && b === FALSE ? FALSE : NULL;
}

/** Kleene `not` of a byte. */
function notByte(a: number): number {
  return a === NULL ? NULL : a === TRUE ? FALSE : TRUE;
}

function compileConnective(
  left: CompiledExpression,
  right: CompiledExpression,
  combine: (a: number, b: number) => number,
  /** The left value that decides the result alone (FALSE for and, TRUE for or). */
  decisive: number,
): CompiledExpression {
  if (left.kind === 'constant' && right.kind === 'constant') {
    return boolConstant(combine(boolByte(left.value), boolByte(right.value)));
  }
  if (left.kind === 'constant' && boolByte(left.value) === decisive) return boolConstant(decisive);
  return boolVector((relation, sel) => {
    const a = evaluateBools(left, relation, sel);
    let pending = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== decisive) pending++;
    const rows = new Uint32Array(pending);
    for (let i = 0, j = 0; i < a.length; i++) if (a[i] !== decisive) rows[j++] = sel[i]!;
    const b = evaluateBools(right, relation, rows);
    const out = new Uint8Array(sel.length);
    for (let i = 0, j = 0; i < a.length; i++) out[i] = a[i] === decisive ? decisive : combine(a[i]!, b[j++]!);
    return out;
  });
}

/** `left and right` (both bool). */
export function compileAnd(left: CompiledExpression, right: CompiledExpression): CompiledExpression {
  return compileConnective(left, right, andBytes, FALSE);
}

/** `left or right` (both bool). */
export function compileOr(left: CompiledExpression, right: CompiledExpression): CompiledExpression {
  return compileConnective(left, right, orBytes, TRUE);
}

/** `not(operand)` (bool). */
export function compileNot(operand: CompiledExpression): CompiledExpression {
  if (operand.kind === 'constant') return boolConstant(notByte(boolByte(operand.value)));
  return boolVector((relation, sel) => {
    const a = evaluateBools(operand, relation, sel);
    const out = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = notByte(a[i]!);
    return out;
  });
}
