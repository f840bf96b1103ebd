/**
 * What a query returns, in the shape every backend shares: named, typed columns and rows as plain
 * values. Declared here, at the bottom of the layers, so that the engine needs nothing above it.
 */

/** A column of a result. */
export interface ResultColumn {
  readonly name: string;
  /** Kusto type name: `string`, `datetime`, `long`, `dynamic`, ... */
  readonly type: string;
}

/** A value as a result holds it: datetimes as ISO 8601 strings, dynamic as parsed JSON. */
export type ResultValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

/** Rows of a query: named columns and rows as objects keyed by column name. */
export interface KqlResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: ReadonlyArray<Readonly<Record<string, ResultValue>>>;
}
