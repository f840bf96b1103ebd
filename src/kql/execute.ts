/**
 * Runs KQL text over in-memory tables: parse, compile, run, shape the result. Synchronous; the
 * caller supplies `now` so that every `now()`/`ago()` of the query sees the same instant and tests
 * are deterministic.
 */
import { compileQuery } from './compile-query';
import { parseQuery } from './parser';
import { toQueryResult } from './result';
import type { KqlResult } from './result-types';
import { SourceText } from './source-text';
import type { TableProvider } from './table-provider';

/** What {@link executeKql} runs against. */
export interface ExecuteKqlOptions {
  /** The tables the query may name. */
  readonly tables: TableProvider;
  /** The instant `now()` stands for in this query. */
  readonly now: Date;
}

/**
 * Runs `text` and returns its rows. Throws a {@link KqlError} (with the line and column) for a
 * syntax error, an unknown table or column, a type error or an unsupported construct.
 */
export function executeKql(text: string, options: ExecuteKqlOptions): KqlResult {
  const source = new SourceText(text);
  const plan = compileQuery(parseQuery(source), { source, tables: options.tables, now: options.now.getTime() });
  return toQueryResult(plan.run());
}
