/**
 * The aggregation functions of `summarize`, by name: `count()`, `min(x)`, `max(x)` and
 * `make_set(x [, maxSize])`. Null values are skipped (Kusto: "null values are ignored and don't
 * factor into the calculation"); `min`/`max` of a group with only nulls is null; `make_set`
 * returns a dynamic array of the distinct non-null values in first-seen order (Kusto leaves the
 * order undefined), at most `maxSize` of them (default and maximum 1,048,576). Strings are
 * never null in Kusto, so empty strings are kept.
 * Unnamed results get Kusto's names: `count_`, `min_X`, `max_X`, `set_X`.
 */
import type { CallExpression } from './ast';
import type { CompiledExpression } from './compiled-expression';
import { formatDatetime } from './datetime';
import type { Relation } from './relation';
import type { Scope } from './scope';
import { formatTimespan } from './timespan';
import type { KustoType } from './types';
import { NULL, TRUE, type Column, type NumberVector, type StringVector, type Vector } from './vectors';

/** An aggregation, ready to run over grouped rows. */
export interface CompiledAggregate {
  readonly type: KustoType;
  /** The column name Kusto gives an unnamed result, when there is one. */
  readonly defaultName: string | undefined;
  /**
   * One value per group. `groups[i]` is the group of the row `sel[i]`; groups are numbered
   * 0..groupCount-1.
   */
  aggregate(relation: Relation, sel: Uint32Array, groups: Int32Array, groupCount: number): Column;
}

/** Compiles an aggregation call from its compiled arguments. */
export type AggregateCompiler = (args: readonly CompiledExpression[], call: CallExpression, scope: Scope) => CompiledAggregate;

const MAKE_SET_LIMIT = 1_048_576;

function arity(call: CallExpression, scope: Scope, args: readonly CompiledExpression[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} or ${max}`;
    throw scope.error('semantic', `${call.name}() takes ${expected} argument${max === 1 ? '' : 's'}, not ${args.length}`, call.start);
  }
}

/** The single argument, which must be computed from the rows and not be dynamic. */
function rowArgument(call: CallExpression, scope: Scope, args: readonly CompiledExpression[]): CompiledExpression & { kind: 'vector' } {
  const arg = args[0]!;
  const at = call.args[0]!.start;
  if (arg.type === 'dynamic') throw scope.error('unsupported', `${call.name}() of a dynamic value is not supported by the local KQL engine`, at);
  if (arg.kind !== 'vector') throw scope.error('unsupported', `${call.name}() of a constant is not supported by the local KQL engine`, at);
  return arg;
}

/** Reads position `i` of a vector computed over `sel`. */
function position(vector: Vector, sel: Uint32Array, i: number): number {
  return vector.layout === 'rows' ? sel[i]! : i;
}

const count: AggregateCompiler = (args, call, scope) => {
  arity(call, scope, args, 0, 0);
  return {
    type: 'long',
    defaultName: 'count_',
    aggregate: (_relation, sel, groups, groupCount) => {
      const counts = new Float64Array(groupCount);
      for (let i = 0; i < sel.length; i++) counts[groups[i]!]!++;
      return { type: 'long', layout: 'rows', values: counts };
    },
  };
};

function extreme(prefix: 'min' | 'max'): AggregateCompiler {
  const better = prefix === 'min' ? (a: number, b: number): boolean => a < b : (a: number, b: number): boolean => a > b;
  const betterString = prefix === 'min' ? (a: string, b: string): boolean => a < b : (a: string, b: string): boolean => a > b;
  return (args, call, scope) => {
    arity(call, scope, args, 1, 1);
    const arg = rowArgument(call, scope, args);
    return {
      type: arg.type,
      defaultName: arg.columnName && `${prefix}_${arg.columnName}`,
      aggregate: (relation, sel, groups, groupCount): Column => {
        const vector = arg.evaluate(relation, sel);
        if (vector.type === 'string') {
          const best = new Int32Array(groupCount).fill(-1);
          for (let i = 0; i < sel.length; i++) {
            const code = vector.codes[position(vector, sel, i)]!;
            const g = groups[i]!;
            if (best[g] === -1 || betterString(vector.dict[code]!, vector.dict[best[g]!]!)) best[g] = code;
          }
          return { type: 'string', layout: 'rows', codes: best, dict: vector.dict };
        }
        if (vector.type === 'bool') {
          const best = new Uint8Array(groupCount).fill(NULL);
          for (let i = 0; i < sel.length; i++) {
            const v = vector.values[position(vector, sel, i)]!;
            const g = groups[i]!;
            if (v !== NULL && (best[g] === NULL || better(v, best[g]!))) best[g] = v;
          }
          return { type: 'bool', layout: 'rows', values: best };
        }
        if (vector.type === 'dynamic') throw new Error('internal: dynamic min/max');
        const best = new Float64Array(groupCount).fill(NaN);
        const values = vector.values;
        for (let i = 0; i < sel.length; i++) {
          const v = values[position(vector, sel, i)]!;
          if (v !== v) continue;
          const g = groups[i]!;
          const current = best[g]!;
          if (current !== current || better(v, current)) best[g] = v;
        }
        return { type: vector.type, layout: 'rows', values: best };
      },
    };
  };
}

/** A JSON value for one element of a make_set array. */
function elementOf(vector: NumberVector, value: number): unknown {
  if (vector.type === 'datetime') return formatDatetime(value);
  if (vector.type === 'timespan') return formatTimespan(value);
  return value;
}

const makeSet: AggregateCompiler = (args, call, scope) => {
  arity(call, scope, args, 1, 2);
  const arg = rowArgument(call, scope, args);
  let limit = MAKE_SET_LIMIT;
  if (args.length === 2) {
    const max = args[1]!;
    const at = call.args[1]!.start;
    if (max.kind !== 'constant' || (max.type !== 'long' && max.type !== 'int')) {
      throw scope.error('semantic', 'the maxSize of make_set() must be an integer constant', at);
    }
    limit = Math.min(MAKE_SET_LIMIT, Math.max(0, max.value as number));
  }
  return {
    type: 'dynamic',
    defaultName: arg.columnName && `set_${arg.columnName}`,
    aggregate: (relation, sel, groups, groupCount): Column => {
      const vector = arg.evaluate(relation, sel);
      const sets = Array.from({ length: groupCount }, () => new Set<number>());
      if (vector.type === 'string') {
        const strings = vector as StringVector;
        for (let i = 0; i < sel.length; i++) {
          const set = sets[groups[i]!]!;
          if (set.size < limit) set.add(strings.codes[position(vector, sel, i)]!);
        }
        return { type: 'dynamic', layout: 'rows', values: sets.map((set) => [...set].map((code) => strings.dict[code])) };
      }
      if (vector.type === 'dynamic') throw new Error('internal: dynamic make_set');
      for (let i = 0; i < sel.length; i++) {
        const v = vector.values[position(vector, sel, i)]!;
        const set = sets[groups[i]!]!;
        if (vector.type === 'bool' ? v !== NULL : v === v) {
          if (set.size < limit) set.add(v);
        }
      }
      if (vector.type === 'bool') return { type: 'dynamic', layout: 'rows', values: sets.map((set) => [...set].map((v) => v === TRUE)) };
      return { type: 'dynamic', layout: 'rows', values: sets.map((set) => [...set].map((v) => elementOf(vector, v))) };
    },
  };
};

/** The supported aggregation functions. */
export const AGGREGATES: ReadonlyMap<string, AggregateCompiler> = new Map<string, AggregateCompiler>([
  ['count', count],
  ['min', extreme('min')],
  ['max', extreme('max')],
  ['make_set', makeSet],
]);
