/**
 * The local KQL engine: runs the part of Kusto Query Language the RMM hunts use (every public
 * rule Kusto accepts, every query the hunt builders emit) over columnar in-memory tables, with
 * Kusto's semantics, and refuses everything else with a positioned {@link KqlError}: `syntax` and
 * `semantic` where Kusto would refuse the query too (unknown or wrongly cased names, a trailing
 * comma, `has_all has_any`), `unsupported` for valid KQL the engine does not evaluate (naming the
 * construct). It never answers with rows it is not sure of.
 *
 * Pipeline: `tokenizer` → `parser` (syntax tree, `ast.ts`) → `compile-query`/`compile-tabular`/
 * `compile-expression` (names, types, constants; operators, functions and aggregations from their
 * registries) → steps over a `Relation` (columns plus a selection of rows) → `result`.
 *
 * Language: `let` (scalars, `dynamic` lists, tabular expressions, `materialize`), `datatable`,
 * `union`, `where`/`filter`, `summarize` (`count`, `countif`, `dcount`, `dcountif`, `min`, `max`,
 * `make_set`, `make_set_if`, `make_list`, `take_any`, `arg_max`, `arg_min`), `extend`, `project`,
 * `project-away`, `project-rename`, `order by`/`sort by`, `top`, `take`/`limit`, `distinct`,
 * `count`, `join` (every kind) and `lookup` (see `join-step.ts`); the string,
 * set, comparison and arithmetic operators; the scalar functions of `scalar-functions.ts` and
 * `string-functions.ts`; typed literals; `toscalar`. Choices where Kusto leaves the answer open are
 * documented where they are made (exact `dcount`, first row on `arg_max` ties, ordinal string
 * sort, input order for `take`, `union` and `join`, the first left row of each key for the
 * default `innerunique` join). A recorded sample's shift (`datetimeShiftMs`) runs on the data's own
 * clock rather than copying its datetimes (`data-clock.ts`).
 */
export { executeKql, type ExecuteKqlOptions } from './execute';
export { SLICE_ROWS, type ScanSlices } from './scan-slices';
export { KqlError, type KqlErrorKind, type SourcePosition } from './errors';
export { parseKql } from './parser';
export { referencedTables } from './table-references';
export { Table, TableBuilder, ColumnValueError, columnValueConverter, type ColumnSchema, type TableSchema } from './tables';
export { tablesFrom, type TableProvider } from './table-provider';
export { DEFENDER_SCHEMAS, defenderSchema, type DefenderTableName } from './schemas';
export { FALSE, NULL, TRUE, parseDatetimeBytes, type Column, type KustoType } from './tables';
export { parseIsoDatetime, formatDatetime } from './datetime';
export { formatTimespan, parseTimespanText } from './timespan';
export type { Query } from './ast';
export type { KqlResult, ResultColumn, ResultValue } from './result-types';
export { SourceText } from './source-text';
export { tokenize as tokenizeKql } from './tokenizer';
export type { Token } from './tokens';
