/**
 * `| join` and `| lookup`: rows of the input (`$left`) matched with rows of another tabular
 * expression (`$right`) on equal key values, with Kusto's semantics:
 *
 * - kinds: `innerunique` (the default: the first left row of each key only, then as `inner`),
 *   `inner`, `leftouter`, `rightouter`, `fullouter` (unmatched rows kept, the other side's columns
 *   null, "" for strings), `leftsemi`/`leftanti` (left rows with / without a match, left columns
 *   only), `rightsemi`/`rightanti` (the same for right rows). `lookup` is `leftouter` (its default)
 *   or `inner`, and its output keeps each key column once, from the left.
 * - keys: `on Column` (one name, both sides) or `$left.A == $right.B`, several combined with `and`;
 *   both keys of a rule have the same type, except that `$left.A == $right.B` may match an `int`
 *   with a `long` (as Kusto's analyser allows; `on Column` may not); never `dynamic` (refused by
 *   Kusto for `$left.A == $right.B`; `on Column` of a dynamic column is not evaluated).
 * - a rule is `==`, and Kusto's `==` of a null and anything, null included, is not true: a row whose
 *   key is null matches no row (it is kept, unmatched, by the outer and anti kinds). Strings are
 *   never null, so "" matches "".
 * - every match is a row: a key repeated on both sides gives every pairing.
 * - columns: the left's, then the right's; a right column whose name the left has is renamed
 *   `Name1` (or `Name2`, ... : the first number that no column of either side has), so
 *   `on DeviceId` gives `DeviceId` and `DeviceId1`, as Kusto's analyser computes it.
 * - order (Kusto promises none): left rows in input order, each with its matches in right order;
 *   then, for `rightouter`/`fullouter`, the unmatched right rows in right order.
 */
import type { JoinOperator, Name } from './ast';
import { nameHint } from './compile-expression';
import type { CompiledTabular } from './compiled-tabular';
import type { Relation } from './relation';
import { readerOf, type Value } from './rowwise';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import type { ColumnSchema, TableSchema } from './table';
import { allRows, NULL, type Column } from './vectors';

/** A key rule resolved to column positions. */
interface KeyColumns {
  readonly left: number;
  readonly right: number;
}

function columnIndex(schema: TableSchema, name: Name, description: string, scope: Scope): number {
  const index = schema.findIndex((c) => c.name === name.text);
  if (index < 0) {
    throw scope.error('semantic', `unknown column '${name.text}' in ${description}${nameHint(name.text, schema.map((c) => c.name))}`, name.start);
  }
  return index;
}

function resolveKeys(operator: JoinOperator, input: RowScope, right: CompiledTabular, scope: Scope): KeyColumns[] {
  return operator.conditions.map((condition) => {
    let keys: KeyColumns;
    if (condition.right === undefined) {
      const name = condition.left;
      const left = input.schema.findIndex((c) => c.name === name.text);
      const other = right.schema.findIndex((c) => c.name === name.text);
      if (left < 0 || other < 0) throw scope.error('semantic', `the column '${name.text}' must exist on both sides of the ${operator.kind}`, name.start);
      keys = { left, right: other };
    } else {
      keys = { left: columnIndex(input.schema, condition.left, input.description, scope), right: columnIndex(right.schema, condition.right, right.description, scope) };
    }
    const leftType = input.schema[keys.left]!.type;
    const rightType = right.schema[keys.right]!.type;
    const at = condition.left.start;
    if (condition.right === undefined) {
      if (leftType !== rightType) {
        throw scope.error('semantic', `the column '${condition.left.text}' must have one type on both sides of the ${operator.kind}, not ${leftType} and ${rightType}`, at);
      }
      if (leftType === 'dynamic') throw scope.error('unsupported', `a ${operator.kind} on a dynamic column is not supported by the local KQL engine`, at);
    } else {
      if (leftType === 'dynamic' || rightType === 'dynamic') throw scope.error('semantic', `${operator.kind} keys cannot be dynamic`, at);
      const integers = (leftType === 'int' || leftType === 'long') && (rightType === 'int' || rightType === 'long');
      if (leftType !== rightType && !integers) {
        throw scope.error('semantic', `${operator.kind} keys must have one type: '${condition.left.text}' is ${leftType}, '${condition.right.text}' is ${rightType}`, at);
      }
    }
    return keys;
  });
}

/** The right side's output columns: renamed `Name1`, `Name2`, ... where the left has the name. */
function rightColumns(left: TableSchema, right: TableSchema, keep: readonly number[]): ColumnSchema[] {
  const leftNames = new Set(left.map((c) => c.name));
  const taken = new Set([...leftNames, ...right.map((c) => c.name)]);
  return keep.map((index) => {
    const column = right[index]!;
    if (!leftNames.has(column.name)) return column;
    for (let i = 1; ; i++) {
      const name = `${column.name}${i}`;
      if (!taken.has(name)) {
        taken.add(name);
        return { name, type: column.type };
      }
    }
  });
}

/** Reads the key of each position of a relation's selection: a string, a number, or `undefined` for a null key. */
function keyReader(relation: Relation, columns: readonly number[]): (position: number) => Value | undefined {
  const readers = columns.map((c) => readerOf(relation.columns[c]!, relation.selection));
  const single = (read: (i: number) => Value, i: number): Value | undefined => {
    const value = read(i);
    return value === null || (typeof value === 'number' && value !== value) ? undefined : value;
  };
  if (readers.length === 1) return (i) => single(readers[0]!, i);
  return (i) => {
    const values: Value[] = [];
    for (const read of readers) {
      const value = single(read, i);
      if (value === undefined) return undefined;
      values.push(value);
    }
    return JSON.stringify(values);
  };
}

/** The values of `column` at `positions` of `selection` (-1: null, "" for strings), as a column. */
function gatherOrNull(column: Column, selection: Uint32Array, positions: Int32Array): Column {
  const n = positions.length;
  const row = (k: number): number => selection[positions[k]!]!;
  switch (column.type) {
    case 'string': {
      let dict = column.dict;
      let empty = -1;
      const codes = new Int32Array(n);
      for (let k = 0; k < n; k++) {
        if (positions[k]! >= 0) {
          codes[k] = column.codes[row(k)]!;
          continue;
        }
        if (empty < 0) {
          empty = dict.indexOf('');
          if (empty < 0) {
            dict = [...dict, ''];
            empty = dict.length - 1;
          }
        }
        codes[k] = empty;
      }
      return { type: 'string', layout: 'rows', codes, dict };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let k = 0; k < n; k++) values[k] = positions[k]! >= 0 ? column.values[row(k)]! : NULL;
      return { type: 'bool', layout: 'rows', values };
    }
    case 'dynamic': {
      const values = new Array<unknown>(n);
      for (let k = 0; k < n; k++) values[k] = positions[k]! >= 0 ? column.values[row(k)] : null;
      return { type: 'dynamic', layout: 'rows', values };
    }
    default: {
      const values = new Float64Array(n);
      for (let k = 0; k < n; k++) values[k] = positions[k]! >= 0 ? column.values[row(k)]! : NaN;
      return { type: column.type, layout: 'rows', values };
    }
  }
}

/** Pairs of positions (in the left and right selections; -1 for none) that a join outputs. */
interface Pairs {
  readonly left: Int32Array;
  readonly right: Int32Array;
}

function pairsOf(operator: JoinOperator, left: Relation, right: Relation, keys: readonly KeyColumns[]): Pairs {
  const leftKey = keyReader(left, keys.map((k) => k.left));
  const rightKey = keyReader(right, keys.map((k) => k.right));
  const byKey = new Map<Value, number[]>();
  for (let j = 0; j < right.selection.length; j++) {
    const key = rightKey(j);
    if (key === undefined) continue;
    const list = byKey.get(key);
    if (list) list.push(j);
    else byKey.set(key, [j]);
  }
  const lefts: number[] = [];
  const rights: number[] = [];
  const matchedRight = new Uint8Array(right.selection.length);
  const seenLeft = new Set<Value>();
  const { flavor } = operator;
  for (let i = 0; i < left.selection.length; i++) {
    const key = leftKey(i);
    if (flavor === 'innerunique') {
      if (key === undefined || seenLeft.has(key)) continue;
      seenLeft.add(key);
    }
    const matches = key === undefined ? undefined : byKey.get(key);
    if (!matches) {
      if (flavor === 'leftouter' || flavor === 'fullouter') {
        lefts.push(i);
        rights.push(-1);
      }
      continue;
    }
    for (const j of matches) {
      lefts.push(i);
      rights.push(j);
      matchedRight[j] = 1;
    }
  }
  if (flavor === 'rightouter' || flavor === 'fullouter') {
    for (let j = 0; j < right.selection.length; j++) {
      if (matchedRight[j]) continue;
      lefts.push(-1);
      rights.push(j);
    }
  }
  return { left: Int32Array.from(lefts), right: Int32Array.from(rights) };
}

/** The rows of one side with (`semi`) or without (`anti`) a match on the other side, in their order. */
function semiOrAnti(side: Relation, sideKeys: readonly number[], other: Relation, otherKeys: readonly number[], keep: 'semi' | 'anti'): Relation {
  const otherKey = keyReader(other, otherKeys);
  const present = new Set<Value>();
  for (let j = 0; j < other.selection.length; j++) {
    const key = otherKey(j);
    if (key !== undefined) present.add(key);
  }
  const sideKey = keyReader(side, sideKeys);
  const rows: number[] = [];
  for (let i = 0; i < side.selection.length; i++) {
    const key = sideKey(i);
    const matched = key !== undefined && present.has(key);
    if (matched === (keep === 'semi')) rows.push(side.selection[i]!);
  }
  return { schema: side.schema, columns: side.columns, selection: Uint32Array.from(rows) };
}

/** Compiles a join or lookup of the rows described by `input` with the rows of `right`. */
export function compileJoin(operator: JoinOperator, input: RowScope, right: CompiledTabular, scope: Scope): Step {
  const keys = resolveKeys(operator, input, right, scope);
  const leftKeys = keys.map((k) => k.left);
  const rightKeys = keys.map((k) => k.right);
  const { flavor } = operator;
  if (flavor === 'leftsemi' || flavor === 'leftanti') {
    const keep = flavor === 'leftsemi' ? 'semi' : 'anti';
    return { schema: input.schema, run: (relation) => semiOrAnti(relation, leftKeys, right.run(), rightKeys, keep) };
  }
  if (flavor === 'rightsemi' || flavor === 'rightanti') {
    const keep = flavor === 'rightsemi' ? 'semi' : 'anti';
    return { schema: right.schema, run: (relation) => semiOrAnti(right.run(), rightKeys, relation, leftKeys, keep) };
  }
  const keptRight = right.schema.map((_, i) => i).filter((i) => operator.kind === 'join' || !rightKeys.includes(i));
  const schema = [...input.schema, ...rightColumns(input.schema, right.schema, keptRight)];
  return {
    schema,
    run: (relation) => {
      const other = right.run();
      const pairs = pairsOf(operator, relation, other, keys);
      const columns = [
        ...relation.columns.map((column) => gatherOrNull(column, relation.selection, pairs.left)),
        ...keptRight.map((index) => gatherOrNull(other.columns[index]!, other.selection, pairs.right)),
      ];
      return { schema, columns, selection: allRows(pairs.left.length) };
    },
  };
}
