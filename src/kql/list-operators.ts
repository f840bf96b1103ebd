/**
 * Operators whose right side is a parenthesised list, by their KQL spelling: `has_any`,
 * `has_all`, `in`, `!in`, `in~`, `!in~`. The list holds constants, `dynamic` arrays (a `let`
 * list: their elements count one by one) or one tabular expression (`(T | distinct URI)`, a
 * tabular `let`, a table) of one column, whose values are the list. A tabular list does not depend
 * on the row, so it is computed once, while the query is compiled.
 *
 * `x has_any (a, b)` is `x has a or x has b` and `has_all` is the same with `and` (see
 * `term-match.ts`); `in` is `==` to any (exact, case-sensitive for strings), `in~` is `=~` to
 * any; `!in`, `!in~` are their negations. A null `x` equals nothing: `in` is false, `!in` true.
 */
import type { ListOperatorExpression } from './ast';
import { guardNeedles } from './binary-operators';
import { foldCase } from './case-folding';
import { boolConstant, boolVector, type CompiledExpression } from './compiled-expression';
import { compileTabular, isTabular } from './compile-tabular';
import type { Scope } from './scope';
import { matchStrings } from './string-predicates';
import { prepareHas } from './term-match';
import { isNumeric, type KustoType } from './types';
import { FALSE, TRUE, type NumberVector, type StringVector } from './vectors';
import { readerOf } from './rowwise';
import { compileExpression } from './compile-expression';

/** Compiles `operand op (items...)`. */
export type ListOperatorCompiler = (operand: CompiledExpression, node: ListOperatorExpression, scope: Scope) => CompiledExpression;

/** One value of a list, with the item it came from (for error positions). */
interface ListValue {
  readonly type: KustoType;
  readonly value: unknown;
  readonly at: number;
}

function dynamicType(value: unknown): KustoType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'real';
  return undefined;
}

/** The values of the list of `node`: constants, dynamic arrays flattened, a tabular expression's one column. */
function listValues(node: ListOperatorExpression, scope: Scope): ListValue[] {
  const values: ListValue[] = [];
  const single = node.items.length === 1 ? node.items[0]! : undefined;
  if (single && isTabular(single, scope)) {
    const tabular = compileTabular(single, scope.withoutRow());
    if (tabular.schema.length !== 1) {
      throw scope.error('unsupported', `a tabular expression of ${tabular.schema.length} columns in '${node.operator}' is not supported by the local KQL engine (project the one column to compare)`, single.start);
    }
    const column = tabular.schema[0]!;
    if (column.type === 'dynamic') throw scope.error('unsupported', `a dynamic column in '${node.operator}' is not supported by the local KQL engine`, single.start);
    const relation = tabular.run();
    const read = readerOf(relation.columns[0]!, relation.selection);
    for (let i = 0; i < relation.selection.length; i++) values.push({ type: column.type, value: read(i), at: single.start });
    return values;
  }
  for (const item of node.items) {
    if (isTabular(item, scope)) {
      throw scope.error('unsupported', `a tabular expression among other values in '${node.operator}' is not supported by the local KQL engine`, item.start);
    }
    const compiled = compileExpression(item, scope);
    if (compiled.kind !== 'constant') {
      throw scope.error('unsupported', `a value computed from the row in the list of '${node.operator}' is not supported by the local KQL engine`, item.start);
    }
    if (compiled.type === 'dynamic') {
      const array = compiled.value;
      if (!Array.isArray(array)) throw scope.error('semantic', `a dynamic value in the list of '${node.operator}' must be an array`, item.start);
      for (const element of array as unknown[]) {
        const type = dynamicType(element);
        if (!type) throw scope.error('unsupported', `the element ${JSON.stringify(element)} of a dynamic array in '${node.operator}' is not supported by the local KQL engine`, item.start);
        values.push({ type, value: element, at: item.start });
      }
      continue;
    }
    values.push({ type: compiled.type, value: compiled.value, at: item.start });
  }
  return values;
}

function requireString(operand: CompiledExpression, node: ListOperatorExpression, scope: Scope): void {
  if (operand.type === 'dynamic') {
    throw scope.error('unsupported', `'${node.operator}' on a dynamic value is not supported by the local KQL engine (convert it with tostring())`, node.operatorStart);
  }
  if (operand.type !== 'string') {
    throw scope.error('semantic', `the operator '${node.operator}' needs a string on its left, not ${operand.type}`, node.operatorStart);
  }
}

function stringValues(values: readonly ListValue[], node: ListOperatorExpression, scope: Scope): string[] {
  return values.map((v) => {
    if (v.type !== 'string') throw scope.error('semantic', `'${node.operator}' needs string values, not ${v.type}`, v.at);
    return v.value as string;
  });
}

/** A string test applied to a string operand (constant or column), once per distinct value. */
function stringTest(operand: CompiledExpression, matcher: (value: string) => boolean): CompiledExpression {
  if (operand.kind === 'constant') return boolConstant(matcher(operand.value as string) ? TRUE : FALSE);
  return boolVector((relation, sel) => matchStrings(operand.evaluate(relation, sel) as StringVector, sel, matcher));
}

function termList(all: boolean): ListOperatorCompiler {
  return (operand, node, scope) => {
    requireString(operand, node, scope);
    const values = listValues(node, scope);
    if (all && values.length === 0) {
      throw scope.error('unsupported', "'has_all' of an empty list is not supported by the local KQL engine (Kusto does not document its result)", node.operatorStart);
    }
    const matchers = stringValues(values, node, scope).map((needle, i) => guardNeedles(prepareHas, node.operator, values[i]!.at, scope)(needle));
    return stringTest(operand, all ? (value) => matchers.every((m) => m(value)) : (value) => matchers.some((m) => m(value)));
  };
}

function membership(options: { negated: boolean; ignoreCase: boolean }): ListOperatorCompiler {
  return (operand, node, scope) => {
    const values = listValues(node, scope);
    if (options.ignoreCase || operand.type === 'string') {
      requireString(operand, node, scope);
      const fold = options.ignoreCase ? foldCase : (s: string): string => s;
      const set = new Set(stringValues(values, node, scope).map(fold));
      return stringTest(operand, (value) => set.has(fold(value)) !== options.negated);
    }
    const numeric = isNumeric(operand.type);
    if (!numeric && operand.type !== 'datetime' && operand.type !== 'timespan') {
      throw scope.error('unsupported', `'${node.operator}' on ${operand.type} values is not supported by the local KQL engine`, node.operatorStart);
    }
    const set = new Set<number>();
    for (const v of values) {
      const compatible = numeric ? isNumeric(v.type) : v.type === operand.type;
      if (!compatible) throw scope.error('semantic', `'${node.operator}' needs ${operand.type} values, not ${v.type}`, v.at);
      const n = v.value as number;
      if (n === n) set.add(n);
    }
    const hit = options.negated ? FALSE : TRUE;
    const miss = options.negated ? TRUE : FALSE;
    if (operand.kind === 'constant') {
      const n = operand.value as number;
      return boolConstant(n === n && set.has(n) ? hit : miss);
    }
    return boolVector((relation, sel) => {
      const vector = operand.evaluate(relation, sel) as NumberVector;
      const byRow = vector.layout === 'rows';
      const out = new Uint8Array(sel.length);
      for (let i = 0; i < sel.length; i++) {
        const n = vector.values[byRow ? sel[i]! : i]!;
        out[i] = n === n && set.has(n) ? hit : miss;
      }
      return out;
    });
  };
}

/** The supported list operators. */
export const LIST_OPERATORS: ReadonlyMap<string, ListOperatorCompiler> = new Map([
  ['has_any', termList(false)],
  ['has_all', termList(true)],
  ['in', membership({ negated: false, ignoreCase: false })],
  ['!in', membership({ negated: true, ignoreCase: false })],
  ['in~', membership({ negated: false, ignoreCase: true })],
  ['!in~', membership({ negated: true, ignoreCase: true })],
]);
