/**
 * Scalar functions and operators evaluated one row at a time, with plain JavaScript values:
 * strings as strings, numbers (`datetime`, `timespan` in ms) as numbers with `NaN` for null,
 * bools as `true`/`false`/`null`, dynamic values as JSON values (`null` for null).
 *
 * {@link compileRowwise} folds constants, and when the only value that varies is a string column
 * it computes once per distinct string (the column's dictionary) and not once per row, so
 * `tolower(Signer)` over a million rows costs one `tolower` per distinct signer.
 */
import { constant, type CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import type { KustoType } from './types';
import { FALSE, NULL, TRUE, type ScalarValue, type Vector } from './vectors';

/** A scalar as row-wise code sees it. */
export type Value = ScalarValue;

/** Reads position `i` (of the selection the vector was computed over) as a {@link Value}. */
export type ValueReader = (i: number) => Value;

/** A reader over a vector computed for `sel`. */
export function readerOf(vector: Vector, sel: Uint32Array): ValueReader {
  const at = vector.layout === 'rows' ? (i: number): number => sel[i]! : (i: number): number => i;
  switch (vector.type) {
    case 'string': {
      const { codes, dict } = vector;
      return (i) => dict[codes[at(i)]!]!;
    }
    case 'bool': {
      const values = vector.values;
      return (i) => {
        const v = values[at(i)]!;
        return v === NULL ? null : v === TRUE;
      };
    }
    case 'dynamic': {
      const values = vector.values;
      return (i) => (values[at(i)] ?? null) as Value;
    }
    default: {
      const values = vector.values;
      return (i) => values[at(i)]!;
    }
  }
}

/** A reader of a compiled expression over `relation` at `sel`. */
export function expressionReader(expression: CompiledExpression, relation: Relation, sel: Uint32Array): ValueReader {
  if (expression.kind === 'constant') {
    const value = expression.value;
    return () => value;
  }
  return readerOf(expression.evaluate(relation, sel), sel);
}

/** Builds a dense vector of `type` from values set position by position. */
export class VectorBuilder {
  private readonly strings?: { codes: Int32Array; dict: string[]; index: Map<string, number> };
  private readonly numbers?: Float64Array;
  private readonly bools?: Uint8Array;
  private readonly dynamics?: unknown[];

  constructor(
    readonly type: KustoType,
    length: number,
  ) {
    if (type === 'string') this.strings = { codes: new Int32Array(length), dict: [], index: new Map() };
    else if (type === 'bool') this.bools = new Uint8Array(length);
    else if (type === 'dynamic') this.dynamics = new Array<unknown>(length).fill(null);
    else this.numbers = new Float64Array(length);
  }

  /** Sets position `i`. A string column takes `null` as "" (Kusto strings are never null). */
  set(i: number, value: Value): void {
    if (this.strings) {
      const text = value === null ? '' : (value as string);
      let code = this.strings.index.get(text);
      if (code === undefined) {
        code = this.strings.dict.length;
        this.strings.dict.push(text);
        this.strings.index.set(text, code);
      }
      this.strings.codes[i] = code;
    } else if (this.bools) {
      this.bools[i] = value === null ? NULL : value ? TRUE : FALSE;
    } else if (this.dynamics) {
      this.dynamics[i] = value;
    } else {
      this.numbers![i] = value === null ? NaN : (value as number);
    }
  }

  /** The dense vector. */
  build(): Vector {
    if (this.strings) return { type: 'string', layout: 'dense', codes: this.strings.codes, dict: this.strings.dict };
    if (this.bools) return { type: 'bool', layout: 'dense', values: this.bools };
    if (this.dynamics) return { type: 'dynamic', layout: 'dense', values: this.dynamics };
    return { type: this.type as 'long', layout: 'dense', values: this.numbers! };
  }
}

/** Computes one output value from the argument values of one row. */
export type RowFunction = (values: readonly Value[]) => Value;

/**
 * A function of `args` computed row by row, giving values of `type`. Constant when every argument
 * is; computed per distinct string when the only varying argument is a string column.
 */
export function compileRowwise(type: KustoType, args: readonly CompiledExpression[], fn: RowFunction): CompiledExpression {
  if (args.every((a) => a.kind === 'constant')) return constant(type, fn(args.map((a) => (a as { value: Value }).value)));
  const varying = args.filter((a) => a.kind === 'vector');
  const byDictionary = varying.length === 1 && varying[0]!.type === 'string';
  return {
    kind: 'vector',
    type,
    evaluate: (relation: Relation, sel: Uint32Array): Vector => {
      if (byDictionary) {
        const index = args.findIndex((a) => a.kind === 'vector');
        const vector = (args[index] as CompiledExpression & { kind: 'vector' }).evaluate(relation, sel);
        if (vector.type === 'string') return perDistinctString(type, args, index, vector, sel, fn);
      }
      const readers = args.map((a) => expressionReader(a, relation, sel));
      const out = new VectorBuilder(type, sel.length);
      const values = new Array<Value>(readers.length);
      for (let i = 0; i < sel.length; i++) {
        for (let k = 0; k < readers.length; k++) values[k] = readers[k]!(i);
        out.set(i, fn(values));
      }
      return out.build();
    },
  };
}

function perDistinctString(
  type: KustoType,
  args: readonly CompiledExpression[],
  index: number,
  vector: Vector & { type: 'string' },
  sel: Uint32Array,
  fn: RowFunction,
): Vector {
  const values = args.map((a) => (a.kind === 'constant' ? a.value : null));
  const results = new VectorBuilder(type, vector.dict.length);
  const done = new Uint8Array(vector.dict.length);
  const byRow = vector.layout === 'rows';
  const codes = new Int32Array(sel.length);
  for (let i = 0; i < sel.length; i++) {
    const code = vector.codes[byRow ? sel[i]! : i]!;
    codes[i] = code;
    if (!done[code]) {
      done[code] = 1;
      values[index] = vector.dict[code]!;
      results.set(code, fn(values));
    }
  }
  const perCode = results.build();
  switch (perCode.type) {
    case 'string':
      return { type: 'string', layout: 'dense', codes: codes.map((c) => perCode.codes[c]!), dict: perCode.dict };
    case 'bool':
      return { type: 'bool', layout: 'dense', values: Uint8Array.from(codes, (c) => perCode.values[c]!) };
    case 'dynamic':
      return { type: 'dynamic', layout: 'dense', values: Array.from(codes, (c) => perCode.values[c]) };
    default:
      return { type: perCode.type, layout: 'dense', values: Float64Array.from(codes, (c) => perCode.values[c]!) };
  }
}
