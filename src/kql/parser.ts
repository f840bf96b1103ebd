/**
 * Parses KQL text into a {@link Query} syntax tree. The parser is a recursive descent in three
 * layers, each extending the one before: `token-cursor.ts` (the tokens, positioned errors, names),
 * `expression-parser.ts` (scalar expressions by Kusto's precedence, literals, calls, `datatable`)
 * and `query-parser.ts` (statements, tabular expressions and their operators).
 */
import type { Query } from './ast';
import type { KqlError } from './errors';
import { QueryParser } from './query-parser';
import { SourceText } from './source-text';

/** Parses `text`; throws a {@link KqlError} on a syntax error or an unsupported construct. */
export function parseKql(text: string): Query {
  return parseQuery(new SourceText(text));
}

/** Parses the text of `source` (whose positions errors will use). */
export function parseQuery(source: SourceText): Query {
  return new QueryParser(source).query();
}
