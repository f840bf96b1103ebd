/**
 * Columnar values. A vector holds one value per row, laid out either by row number of the table
 * it comes from (`rows`: table columns, read through a selection of row numbers without copying)
 * or densely, one value per position of the selection it was computed over (`dense`).
 *
 * - strings are dictionary-encoded (`codes` index `dict`); Kusto strings are never null (an
 *   absent string is the empty string),
 * - `datetime` (ms since the epoch), `timespan` (ms), `long`, `int`, `real` are doubles, `NaN`
 *   standing for null,
 * - `bool` is a byte: {@link FALSE}, {@link TRUE} or {@link NULL},
 * - `dynamic` holds parsed JSON values, `null` for null.
 */
/** How a vector is indexed: by row number, or by position in the selection it was computed for. */
export type Layout = 'rows' | 'dense';

/** A false bool. */
export const FALSE = 0;
/** A true bool. */
export const TRUE = 1;
/** A null bool. */
export const NULL = 2;

/** Dictionary-encoded strings. */
export interface StringVector {
  readonly type: 'string';
  readonly layout: Layout;
  readonly codes: Int32Array;
  /** Distinct values; `codes` index it. */
  readonly dict: readonly string[];
}

/** Numbers (`NaN` = null); datetimes and timespans in milliseconds. */
export interface NumberVector {
  readonly type: 'datetime' | 'timespan' | 'long' | 'int' | 'real';
  readonly layout: Layout;
  readonly values: Float64Array;
}

/** Three-valued booleans: {@link FALSE}, {@link TRUE}, {@link NULL}. */
export interface BoolVector {
  readonly type: 'bool';
  readonly layout: Layout;
  readonly values: Uint8Array;
}

/** Parsed JSON values (`null` = null). */
export interface DynamicVector {
  readonly type: 'dynamic';
  readonly layout: Layout;
  readonly values: readonly unknown[];
}

/** Any vector. */
export type Vector = StringVector | NumberVector | BoolVector | DynamicVector;

/** A table column: a vector laid out by row number. */
export type Column = Vector & { readonly layout: 'rows' };

/** A scalar value: string, number (`NaN` = null), boolean, or a JSON value for `dynamic`. `null` for null. */
export type ScalarValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** The row numbers 0..count-1. */
export function allRows(count: number): Uint32Array {
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows;
}

/** True when `sel` is 0..count-1 in order. */
export function isAllRows(sel: Uint32Array, count: number): boolean {
  if (sel.length !== count) return false;
  for (let i = 0; i < sel.length; i++) if (sel[i] !== i) return false;
  return true;
}

/** The values of `vector` at each position of `sel`, as a column of `sel.length` rows. */
export function gather(vector: Vector, sel: Uint32Array): Column {
  if (vector.layout === 'dense') return { ...vector, layout: 'rows' } as Column;
  const n = sel.length;
  switch (vector.type) {
    case 'string': {
      const codes = new Int32Array(n);
      for (let i = 0; i < n; i++) codes[i] = vector.codes[sel[i]!]!;
      return { type: 'string', layout: 'rows', codes, dict: vector.dict };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let i = 0; i < n; i++) values[i] = vector.values[sel[i]!]!;
      return { type: 'bool', layout: 'rows', values };
    }
    case 'dynamic': {
      const values = new Array<unknown>(n);
      for (let i = 0; i < n; i++) values[i] = vector.values[sel[i]!];
      return { type: 'dynamic', layout: 'rows', values };
    }
    default: {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = vector.values[sel[i]!]!;
      return { type: vector.type, layout: 'rows', values };
    }
  }
}

/**
 * The row numbers of `sel` whose value in the dense bool vector `values` is TRUE: `sel` itself when
 * every one is (a selection is never written to, so steps share it rather than copy it).
 */
export function selectTrue(values: Uint8Array, sel: Uint32Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === TRUE) count++;
  if (count === sel.length) return sel;
  const out = new Uint32Array(count);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === TRUE) out[j++] = sel[i]!;
  return out;
}
