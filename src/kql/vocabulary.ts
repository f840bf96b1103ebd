/**
 * Words of the Kusto language the engine recognises, so that a query using one it does not
 * support yet is refused as `unsupported` (naming it) rather than as a syntax error, and so that
 * keywords are not mistaken for column names.
 */

/** Tabular operators of KQL (after `|`). */
export const KUSTO_QUERY_OPERATORS: ReadonlySet<string> = new Set([
  'as', 'consume', 'count', 'distinct', 'evaluate', 'extend', 'externaldata', 'facet', 'filter', 'find', 'fork',
  'getschema', 'invoke', 'join', 'limit', 'lookup', 'make-series', 'mv-apply', 'mv-expand', 'order', 'parse',
  'parse-kv', 'parse-where', 'partition', 'print', 'project', 'project-away', 'project-keep', 'project-rename',
  'project-reorder', 'range', 'reduce', 'render', 'sample', 'sample-distinct', 'scan', 'search', 'serialize',
  'sort', 'summarize', 'take', 'top', 'top-hitters', 'top-nested', 'union', 'where', 'macro-expand', 'graph-match',
  'make-graph', 'assert-schema',
]);

/** Statements other than `let` and a tabular expression. */
export const KUSTO_STATEMENTS: ReadonlySet<string> = new Set(['declare', 'set', 'alias', 'restrict', 'pattern', 'query_parameters']);

/** Sources of a tabular expression other than a table name. */
export const KUSTO_TABULAR_SOURCES: ReadonlySet<string> = new Set([
  'print', 'datatable', 'range', 'union', 'search', 'find', 'evaluate', 'externaldata', 'materialize', 'view',
  'cluster', 'database', 'table', 'toscalar', 'external_table', 'materialized_view',
]);

/** Infix operator words of KQL (string, set and range operators). */
export const KUSTO_OPERATOR_WORDS: ReadonlySet<string> = new Set(
  [
    'has', 'has_cs', 'hasprefix', 'hasprefix_cs', 'hassuffix', 'hassuffix_cs', 'contains', 'contains_cs',
    'startswith', 'startswith_cs', 'endswith', 'endswith_cs', 'in', 'in~', 'between',
  ]
    .flatMap((w) => [w, `!${w}`])
    .concat(['has_any', 'has_all', 'matches', 'and', 'or']),
);

/**
 * Type names whose parentheses Kusto reads as raw text, making one typed literal
 * (`datetime(2024-01-01)`, `long(null)`). `dynamic(...)` is a typed literal too, but its content is
 * parsed as literals.
 */
export const RAW_TYPED_LITERALS: ReadonlySet<string> = new Set([
  'datetime', 'date', 'timespan', 'time', 'guid', 'uuid', 'uniqueid', 'bool', 'boolean', 'int', 'long', 'real',
  'double', 'decimal',
]);

/** Words that are never a name in expression position. */
export const KUSTO_RESERVED: ReadonlySet<string> = new Set([...KUSTO_OPERATOR_WORDS, 'by', 'let']);

