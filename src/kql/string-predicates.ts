/**
 * Evaluates a two-string predicate (`has`, `startswith`, `=~`, `==` on strings) over columns.
 * The common case, a column against a constant, runs once per distinct value of the column
 * (its dictionary) and then once per row as a table lookup, so `Signer has 'Kaseya'` over a
 * million rows costs one term match per distinct signer.
 */
import { boolConstant, boolVector, type CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import { FALSE, TRUE, type StringVector } from './vectors';

/** Builds a test for one right-hand value; it may throw to refuse that value. */
export type StringMatcherFactory = (right: string) => (left: string) => boolean;

/** The bytes (FALSE/TRUE) of `matcher` over the strings of `vector` at `sel`, one test per distinct value. */
export function matchStrings(vector: StringVector, sel: Uint32Array, matcher: (value: string) => boolean): Uint8Array {
  const memo = new Uint8Array(vector.dict.length);
  const out = new Uint8Array(sel.length);
  const { codes, dict } = vector;
  const byRow = vector.layout === 'rows';
  for (let i = 0; i < sel.length; i++) {
    const code = byRow ? codes[sel[i]!]! : codes[i]!;
    let known = memo[code]!;
    if (known === 0) {
      known = matcher(dict[code]!) ? 2 : 1;
      memo[code] = known;
    }
    out[i] = known - 1;
  }
  return out;
}

function stringsOf(expression: CompiledExpression, relation: Relation, sel: Uint32Array): (i: number) => string {
  if (expression.kind === 'constant') {
    const value = expression.value as string;
    return () => value;
  }
  const vector = expression.evaluate(relation, sel) as StringVector;
  const { codes, dict } = vector;
  return vector.layout === 'rows' ? (i) => dict[codes[sel[i]!]!]! : (i) => dict[codes[i]!]!;
}

/** `left op right` for two string expressions, `op` given by its matcher factory. */
export function compileStringPredicate(
  left: CompiledExpression,
  right: CompiledExpression,
  prepare: StringMatcherFactory,
): CompiledExpression {
  if (right.kind === 'constant') {
    const matcher = prepare(right.value as string);
    if (left.kind === 'constant') return boolConstant(matcher(left.value as string) ? TRUE : FALSE);
    return boolVector((relation, sel) => matchStrings(left.evaluate(relation, sel) as StringVector, sel, matcher));
  }
  return boolVector((relation, sel) => {
    const lefts = stringsOf(left, relation, sel);
    const rights = stringsOf(right, relation, sel);
    const matchers = new Map<string, (value: string) => boolean>();
    const out = new Uint8Array(sel.length);
    for (let i = 0; i < sel.length; i++) {
      const needle = rights(i);
      let matcher = matchers.get(needle);
      if (!matcher) {
        matcher = prepare(needle);
        matchers.set(needle, matcher);
      }
      out[i] = matcher(lefts(i)) ? TRUE : FALSE;
    }
    return out;
  });
}
