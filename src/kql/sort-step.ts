/**
 * `| order by` / `| sort by` and `| top N by`: rows in the order of their keys. Kusto's rules:
 * `desc` by default; nulls first for `asc` and last for `desc` unless `nulls first|last` says
 * otherwise. Keys are numbers, datetimes, timespans or strings; strings are compared ordinally
 * (by UTF-16 code unit; Kusto does not document its string order, so the engine makes the
 * simplest deterministic choice). Rows with equal keys keep their input order (a stable sort;
 * Kusto promises no order for them). Only the selection is reordered: no column is copied.
 */
import type { SortKey, SortOperator, TopOperator } from './ast';
import { dictionaryRanks } from './aggregates';
import { compileExpression } from './compile-expression';
import type { CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import { rowCount } from './take-step';
import { isNumberType } from './types';

interface CompiledKey {
  readonly expression: CompiledExpression;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

function compileKeys(keys: readonly SortKey[], input: RowScope, outer: Scope): CompiledKey[] {
  const scope = outer.withRow(input);
  return keys.map((key) => {
    const expression = compileExpression(key.expression, scope);
    if (!isNumberType(expression.type) && expression.type !== 'string') {
      throw scope.error('unsupported', `sorting by a ${expression.type} value is not supported by the local KQL engine`, key.expression.start);
    }
    return { expression, descending: key.descending, nullsFirst: key.nullsFirst };
  });
}

/** Sort values of one key per position of `sel`: numbers (NaN = null), strings as ordinal ranks (never null). */
function sortValues(key: CompiledKey, relation: Relation, sel: Uint32Array): Float64Array {
  const out = new Float64Array(sel.length);
  const expression = key.expression;
  if (expression.kind === 'constant') return out;
  const vector = expression.evaluate(relation, sel);
  const byRow = vector.layout === 'rows';
  if (vector.type === 'string') {
    const rank = dictionaryRanks(vector.dict);
    for (let i = 0; i < sel.length; i++) out[i] = rank[vector.codes[byRow ? sel[i]! : i]!]!;
  } else if (vector.type !== 'bool' && vector.type !== 'dynamic') {
    for (let i = 0; i < sel.length; i++) out[i] = vector.values[byRow ? sel[i]! : i]!;
  }
  return out;
}

/** `relation`'s selection in key order. */
function sortRelation(keys: readonly CompiledKey[], relation: Relation): Uint32Array {
  const sel = relation.selection;
  const values = keys.map((key) => sortValues(key, relation, sel));
  const positions = Array.from({ length: sel.length }, (_, i) => i);
  positions.sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const x = values[k]![a]!;
      const y = values[k]![b]!;
      const xNull = x !== x;
      const yNull = y !== y;
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return xNull === key.nullsFirst ? -1 : 1;
      }
      if (x !== y) return (x < y ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return a - b;
  });
  return Uint32Array.from(positions, (p) => sel[p]!);
}

/** Compiles `order by` / `sort by`. */
export function compileSort(operator: SortOperator, input: RowScope, scope: Scope): Step {
  const keys = compileKeys(operator.keys, input, scope);
  return { schema: input.schema, run: (relation) => ({ ...relation, selection: sortRelation(keys, relation) }) };
}

/** Compiles `top N by key`. */
export function compileTop(operator: TopOperator, input: RowScope, scope: Scope): Step {
  const count = rowCount(operator.count, scope, 'top');
  const keys = compileKeys(operator.keys, input, scope);
  return { schema: input.schema, run: (relation) => ({ ...relation, selection: sortRelation(keys, relation).subarray(0, count) }) };
}
