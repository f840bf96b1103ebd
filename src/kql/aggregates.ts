/**
 * The aggregation functions of `summarize`, by name. Null values are skipped (Kusto: "null values
 * are ignored and don't factor into the calculation"); Kusto strings are never null, so empty
 * strings count as values.
 *
 * | function | result | unnamed column |
 * |---|---|---|
 * | `count()` | rows in the group | `count_` |
 * | `countif(predicate)` | rows where the predicate is true | `countif_` |
 * | `dcount(x [, accuracy])` | distinct non-null values, **exactly** (Kusto estimates with HyperLogLog; for the sets hunts count, a few to a few thousand devices or reports, the exact count is what Kusto's estimate approximates, and the engine prefers being exact) | `dcount_x` |
 * | `dcountif(x, predicate [, accuracy])` | the same over the rows where the predicate is true | `dcountif_x` |
 * | `min(x)`, `max(x)` | the least / greatest non-null value; null when there is none | `min_x`, `max_x` |
 * | `make_set(x [, max])` | dynamic array of the distinct non-null values, first-seen order (Kusto leaves the order undefined), at most `max` (default and limit 1,048,576) | `set_x` |
 * | `make_set_if(x, predicate [, max])` | `make_set` over the rows where the predicate is true | `set_x` |
 * | `make_list(x [, max])` | dynamic array of the non-null values in row order | `list_x` |
 * | `take_any(x)` | the first non-null value of the group (Kusto: any value) | `x` |
 * | `arg_max(e, c1, c2...)`, `arg_max(e, *)` | `e`'s greatest value and the columns `c...` (or all others) of the row that has it; on ties the first such row in input order (Kusto: any of them) | `e`, `c1`, ... |
 * | `arg_min(...)` | the same for the least value | |
 */
import type { CallExpression, Expression } from './ast';
import { derivedName } from './column-names';
import { compileExpression } from './compile-expression';
import { requireSameOnDataClock } from './data-clock';
import { evaluateBools, type CompiledExpression } from './compiled-expression';
import { formatDatetime } from './datetime';
import type { Relation } from './relation';
import { readerOf, VectorBuilder } from './rowwise';
import type { Scope } from './scope';
import { formatTimespan } from './timespan';
import type { KustoType } from './types';
import { NULL, TRUE, type Column, type Vector } from './vectors';

/** One output column of an aggregation. */
export interface AggregateOutput {
  /** The name Kusto gives it when the query does not (before making names unique). */
  readonly name: string;
  readonly type: KustoType;
}

/** An aggregation, ready to run over grouped rows. */
export interface CompiledAggregate {
  /** Its output columns: one, except for `arg_max`/`arg_min`. */
  readonly outputs: readonly AggregateOutput[];
  /**
   * One value per group for each output. `groups[i]` is the group of the row `sel[i]`; groups are
   * numbered 0..groupCount-1.
   */
  aggregate(relation: Relation, sel: Uint32Array, groups: Int32Array, groupCount: number): Column[];
}

/** What an aggregation is compiled with. */
export interface AggregateContext {
  readonly call: CallExpression;
  readonly scope: Scope;
  /** The names of the `by` columns (which `arg_max(e, *)` leaves out). */
  readonly byNames: readonly string[];
}

/** Compiles an aggregation call. */
export type AggregateCompiler = (context: AggregateContext) => CompiledAggregate;

const LIST_LIMIT = 1_048_576;

function arity(context: AggregateContext, min: number, max: number): void {
  const { call, scope } = context;
  const count = call.args.length;
  if (count < min || count > max) {
    const expected = min === max ? `${min}` : `${min} or ${max}`;
    throw scope.error('semantic', `${call.name}() takes ${expected} argument${max === 1 ? '' : 's'}, not ${count}`, call.start);
  }
}

/** Compiles argument `index`, which must vary with the row and not be dynamic. */
function rowArgument(context: AggregateContext, index = 0): CompiledExpression & { kind: 'vector' } {
  const { call, scope } = context;
  const node = call.args[index]!;
  const arg = compileExpression(node, scope);
  if (arg.type === 'dynamic') throw scope.error('unsupported', `${call.name}() of a dynamic value is not supported by the local KQL engine`, node.start);
  if (arg.kind !== 'vector') throw scope.error('unsupported', `${call.name}() of a constant is not supported by the local KQL engine`, node.start);
  return arg;
}

function limitArgument(context: AggregateContext, index: number): number {
  const { call, scope } = context;
  if (call.args.length <= index) return LIST_LIMIT;
  const max = compileExpression(call.args[index]!, scope);
  if (max.kind !== 'constant' || (max.type !== 'long' && max.type !== 'int')) {
    throw scope.error('semantic', `the maxSize of ${call.name}() must be an integer constant`, call.args[index]!.start);
  }
  return Math.min(LIST_LIMIT, Math.max(0, max.value as number));
}

function prefixed(prefix: string, node: Expression | undefined): string {
  return `${prefix}_${node ? (derivedName(node) ?? '') : ''}`;
}

/** The position in the vector of position `i` of `sel`. */
function at(vector: Vector, sel: Uint32Array, i: number): number {
  return vector.layout === 'rows' ? sel[i]! : i;
}

/** A key for a value that is not null (numbers by value, strings by code, bools by byte), or `undefined` for null. */
function keyAt(vector: Vector, sel: Uint32Array, i: number): number | undefined {
  const p = at(vector, sel, i);
  switch (vector.type) {
    case 'string':
      return vector.codes[p]!;
    case 'bool': {
      const v = vector.values[p]!;
      return v === NULL ? undefined : v;
    }
    case 'dynamic':
      throw new Error('internal: dynamic aggregate key');
    default: {
      const v = vector.values[p]!;
      return v === v ? v : undefined;
    }
  }
}

/** The JSON value of a key for a dynamic array element. */
function elementOf(vector: Vector, key: number): unknown {
  switch (vector.type) {
    case 'string':
      return vector.dict[key];
    case 'bool':
      return key === TRUE;
    case 'datetime':
      return formatDatetime(key);
    case 'timespan':
      return formatTimespan(key);
    default:
      return key;
  }
}

const count: AggregateCompiler = (context) => {
  arity(context, 0, 0);
  return {
    outputs: [{ name: 'count_', type: 'long' }],
    aggregate: (_relation, sel, groups, groupCount) => {
      const counts = new Float64Array(groupCount);
      for (let i = 0; i < sel.length; i++) counts[groups[i]!]!++;
      return [{ type: 'long', layout: 'rows', values: counts }];
    },
  };
};

/** The bool predicate argument `index` of a conditional aggregation (`countif`, `dcountif`, `make_set_if`). */
function predicateArgument(context: AggregateContext, index: number): CompiledExpression {
  const { call, scope } = context;
  const predicate = compileExpression(call.args[index]!, scope);
  if (predicate.type !== 'bool') throw scope.error('semantic', `${call.name}() needs a bool predicate, not ${predicate.type}`, call.args[index]!.start);
  return predicate;
}

/** The rows of `sel` (by position) that an optional predicate keeps: all of them without one. */
function kept(predicate: CompiledExpression | undefined, relation: Relation, sel: Uint32Array): (i: number) => boolean {
  if (!predicate) return () => true;
  const bools = evaluateBools(predicate, relation, sel);
  return (i) => bools[i] === TRUE;
}

const countif: AggregateCompiler = (context) => {
  arity(context, 1, 1);
  const predicate = predicateArgument(context, 0);
  return {
    outputs: [{ name: 'countif_', type: 'long' }],
    aggregate: (relation, sel, groups, groupCount) => {
      const keep = kept(predicate, relation, sel);
      const counts = new Float64Array(groupCount);
      for (let i = 0; i < sel.length; i++) if (keep(i)) counts[groups[i]!]!++;
      return [{ type: 'long', layout: 'rows', values: counts }];
    },
  };
};

function distinctCount(conditional: boolean): AggregateCompiler {
  return (context) => {
    const first = conditional ? 2 : 1;
    arity(context, first, first + 1);
    const arg = rowArgument(context);
    const predicate = conditional ? predicateArgument(context, 1) : undefined;
    if (context.call.args.length === first + 1) {
      const accuracy = compileExpression(context.call.args[first]!, context.scope);
      if (accuracy.kind !== 'constant' || (accuracy.type !== 'long' && accuracy.type !== 'int')) {
        throw context.scope.error('semantic', `the accuracy of ${context.call.name}() must be an integer constant`, context.call.args[first]!.start);
      }
    }
    return {
      outputs: [{ name: prefixed(conditional ? 'dcountif' : 'dcount', context.call.args[0]), type: 'long' }],
      aggregate: (relation, sel, groups, groupCount) => {
        const vector = arg.evaluate(relation, sel);
        const keep = kept(predicate, relation, sel);
        const sets = Array.from({ length: groupCount }, () => new Set<number>());
        for (let i = 0; i < sel.length; i++) {
          const key = keyAt(vector, sel, i);
          if (key !== undefined && keep(i)) sets[groups[i]!]!.add(key);
        }
        return [{ type: 'long', layout: 'rows', values: Float64Array.from(sets, (s) => s.size) }];
      },
    };
  };
}

/** The position (in `sel`) of each group's best row by `better`, -1 when the group has no non-null value. */
function bestPositions(vector: Vector, sel: Uint32Array, groups: Int32Array, groupCount: number, prefix: 'min' | 'max'): Int32Array {
  const best = new Int32Array(groupCount).fill(-1);
  const sign = prefix === 'min' ? -1 : 1;
  if (vector.type === 'string') {
    const rank = dictionaryRanks(vector.dict);
    const bestRank = new Float64Array(groupCount);
    for (let i = 0; i < sel.length; i++) {
      const r = rank[vector.codes[at(vector, sel, i)]!]! * sign;
      const g = groups[i]!;
      if (best[g] === -1 || r > bestRank[g]!) {
        best[g] = i;
        bestRank[g] = r;
      }
    }
    return best;
  }
  const bestValue = new Float64Array(groupCount);
  for (let i = 0; i < sel.length; i++) {
    const key = keyAt(vector, sel, i);
    if (key === undefined) continue;
    const v = key * sign;
    const g = groups[i]!;
    if (best[g] === -1 || v > bestValue[g]!) {
      best[g] = i;
      bestValue[g] = v;
    }
  }
  return best;
}

/** The ordinal rank of each dictionary entry (0 for the least). */
export function dictionaryRanks(dict: readonly string[]): Int32Array {
  const order = dict.map((_, i) => i).sort((a, b) => (dict[a]! < dict[b]! ? -1 : dict[a]! > dict[b]! ? 1 : 0));
  const rank = new Int32Array(dict.length);
  order.forEach((code, r) => {
    rank[code] = r;
  });
  return rank;
}

/** The values of `vector` at the chosen positions of `sel` (-1: null). */
function pick(vector: Vector, sel: Uint32Array, positions: Int32Array): Column {
  const read = readerOf(vector, sel);
  const out = new VectorBuilder(vector.type, positions.length);
  positions.forEach((p, g) => out.set(g, p < 0 ? null : read(p)));
  return { ...out.build(), layout: 'rows' } as Column;
}

function extreme(prefix: 'min' | 'max'): AggregateCompiler {
  return (context) => {
    arity(context, 1, 1);
    const arg = rowArgument(context);
    return {
      outputs: [{ name: prefixed(prefix, context.call.args[0]), type: arg.type }],
      aggregate: (relation, sel, groups, groupCount) => {
        const vector = arg.evaluate(relation, sel);
        return [pick(vector, sel, bestPositions(vector, sel, groups, groupCount, prefix))];
      },
    };
  };
}

function argExtreme(prefix: 'min' | 'max'): AggregateCompiler {
  return (context) => {
    const { call, scope } = context;
    if (call.args.length < 2) throw scope.error('semantic', `${call.name}() takes an expression and at least one column (or *)`, call.start);
    const target = rowArgument(context);
    const firstName = derivedName(call.args[0]!) ?? `${prefix}_`;
    const columns: Array<{ name: string; expression: CompiledExpression }> = [];
    call.args.slice(1).forEach((node) => {
      if (node.kind === 'star') {
        const input = scope.row!.schema;
        input.forEach((column, index) => {
          if (column.name === firstName || context.byNames.includes(column.name)) return;
          columns.push({ name: column.name, expression: { kind: 'vector', type: column.type, columnName: column.name, evaluate: (relation) => relation.columns[index]! } });
        });
        return;
      }
      const expression = compileExpression(node, scope);
      const name = derivedName(node);
      if (!name) throw scope.error('unsupported', `an unnamed computed column in ${call.name}() is not supported by the local KQL engine`, node.start);
      columns.push({ name, expression });
    });
    return {
      outputs: [{ name: firstName, type: target.type }, ...columns.map((c) => ({ name: c.name, type: c.expression.type }))],
      aggregate: (relation, sel, groups, groupCount) => {
        const vector = target.evaluate(relation, sel);
        const positions = bestPositions(vector, sel, groups, groupCount, prefix);
        return [
          pick(vector, sel, positions),
          ...columns.map((c) => {
            if (c.expression.kind === 'constant') {
              const out = new VectorBuilder(c.expression.type, groupCount);
              const value = c.expression.value;
              positions.forEach((p, g) => out.set(g, p < 0 ? null : value));
              return { ...out.build(), layout: 'rows' } as Column;
            }
            return pick(c.expression.evaluate(relation, sel), sel, positions);
          }),
        ];
      },
    };
  };
}

function collect(kind: 'set' | 'list', conditional = false): AggregateCompiler {
  return (context) => {
    const first = conditional ? 2 : 1;
    arity(context, first, first + 1);
    const arg = rowArgument(context);
    // A set or list holds datetimes as text: where they fall on the calendar.
    requireSameOnDataClock(context.scope.clock, arg.type !== 'datetime', `${context.call.name}() of a datetime`);
    const predicate = conditional ? predicateArgument(context, 1) : undefined;
    const limit = limitArgument(context, first);
    return {
      outputs: [{ name: prefixed(kind, context.call.args[0]), type: 'dynamic' }],
      aggregate: (relation, sel, groups, groupCount) => {
        const vector = arg.evaluate(relation, sel);
        const keep = kept(predicate, relation, sel);
        const lists: number[][] = Array.from({ length: groupCount }, () => []);
        const sets = kind === 'set' ? Array.from({ length: groupCount }, () => new Set<number>()) : undefined;
        for (let i = 0; i < sel.length; i++) {
          const key = keyAt(vector, sel, i);
          if (key === undefined || !keep(i)) continue;
          const g = groups[i]!;
          const list = lists[g]!;
          if (list.length >= limit) continue;
          if (sets) {
            if (sets[g]!.has(key)) continue;
            sets[g]!.add(key);
          }
          list.push(key);
        }
        return [{ type: 'dynamic', layout: 'rows', values: lists.map((list) => list.map((key) => elementOf(vector, key))) }];
      },
    };
  };
}

const takeAny: AggregateCompiler = (context) => {
  arity(context, 1, 1);
  const arg = rowArgument(context);
  const name = derivedName(context.call.args[0]!);
  if (!name) throw context.scope.error('unsupported', 'take_any() of an unnamed expression is not supported by the local KQL engine', context.call.start);
  return {
    outputs: [{ name, type: arg.type }],
    aggregate: (relation, sel, groups, groupCount) => {
      const vector = arg.evaluate(relation, sel);
      const first = new Int32Array(groupCount).fill(-1);
      for (let i = 0; i < sel.length; i++) {
        const g = groups[i]!;
        if (first[g] === -1 && keyAt(vector, sel, i) !== undefined) first[g] = i;
      }
      return [pick(vector, sel, first)];
    },
  };
};

/** The supported aggregation functions. */
export const AGGREGATES: ReadonlyMap<string, AggregateCompiler> = new Map<string, AggregateCompiler>([
  ['count', count],
  ['countif', countif],
  ['dcount', distinctCount(false)],
  ['dcountif', distinctCount(true)],
  ['min', extreme('min')],
  ['max', extreme('max')],
  ['make_set', collect('set')],
  ['make_set_if', collect('set', true)],
  ['make_list', collect('list')],
  ['take_any', takeAny],
  ['arg_max', argExtreme('max')],
  ['arg_min', argExtreme('min')],
]);
