/**
 * The engine's tables without its query language: what reads data into tables needs (the schema
 * types, `TableBuilder`'s conversions and errors, the stored bool values, datetime parsing). The
 * engine's loading threads import this rather than the package's index, which loads the parser
 * and the executor too (~40 ms of start-up per thread, against ~4 ms for this).
 */
export { Table, type ColumnSchema, type TableSchema } from './table';
export { TableBuilder, ColumnValueError, columnValueConverter } from './table-builder';
export type { KustoType } from './types';
export { FALSE, NULL, TRUE, type Column } from './vectors';
export { parseDatetimeBytes } from './datetime';
