/**
 * The local KQL engine: runs the subset of Kusto Query Language the hunts use over columnar
 * in-memory tables, with Kusto's semantics, and refuses everything else with a positioned
 * {@link KqlError}.
 */
export { executeKql, type ExecuteKqlOptions } from './execute';
export { KqlError, type KqlErrorKind, type SourcePosition } from './errors';
export { parseKql } from './parser';
export { referencedTables } from './table-references';
export { Table, type ColumnSchema, type TableSchema } from './table';
export { TableBuilder, ColumnValueError } from './table-builder';
export { tablesFrom, type TableProvider } from './table-provider';
export { DEFENDER_SCHEMAS, defenderSchema, type DefenderTableName } from './schemas';
export type { KustoType } from './types';
export { parseIsoDatetime, formatDatetime } from './datetime';
export { formatTimespan, parseTimespanText } from './timespan';
export type { Query } from './ast';
