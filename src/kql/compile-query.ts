/**
 * Compiles a parsed query into a runnable plan: evaluates the `let` constants (in order, each
 * seeing the ones before it), finds the table, and compiles each tabular operator against the
 * columns its input has.
 */
import type { Query, QueryOperator } from './ast';
import { compileExpression } from './compile-expression';
import type { Relation } from './relation';
import { defenderSchema, DEFENDER_SCHEMAS } from './schemas';
import { Scope, type RowScope } from './scope';
import type { SourceText } from './source-text';
import type { Step } from './step';
import { compileSummarize } from './summarize-step';
import type { TableProvider } from './table-provider';
import { allRows } from './vectors';
import { compileWhere } from './where-step';

/** What a query is compiled against. */
export interface CompileOptions {
  readonly source: SourceText;
  readonly tables: TableProvider;
  /** The query's `now()`, ms since the epoch. */
  readonly now: number;
}

/** A compiled query. */
export interface QueryPlan {
  /** Runs the query over the tables it was compiled against. */
  run(): Relation;
}

function compileOperator(operator: QueryOperator, input: RowScope, scope: Scope): Step {
  switch (operator.kind) {
    case 'where':
      return compileWhere(operator, input, scope);
    case 'summarize':
      return compileSummarize(operator, input, scope);
  }
}

/** Compiles `query`. Throws a {@link KqlError} for unknown names, type errors, unsupported constructs. */
export function compileQuery(query: Query, options: CompileOptions): QueryPlan {
  let scope = new Scope(options.source, options.now);
  for (const statement of query.lets) {
    const value = statement.value;
    if (value.kind === 'name' && !scope.lets.has(value.name) && options.tables.getTable(value.name)) {
      throw scope.error('unsupported', 'a let statement binding a table is not supported by the local KQL engine', value.start);
    }
    const compiled = compileExpression(value, scope);
    if (compiled.kind !== 'constant') throw new Error('internal: a let value without row scope is constant');
    scope = scope.withLet(statement.name.text, compiled);
  }

  const source = query.body.source;
  if (scope.lets.has(source.text)) {
    throw scope.error('unsupported', `'${source.text}' is a scalar let value; a query whose result is a scalar is not supported by the local KQL engine`, source.start);
  }
  const table = options.tables.getTable(source.text);
  if (!table) {
    const similar = Object.keys(DEFENDER_SCHEMAS).find((name) => name.toLowerCase() === source.text.toLowerCase());
    const hint = similar && similar !== source.text ? `; did you mean '${similar}'? (Kusto names are case-sensitive)` : '';
    const known = defenderSchema(source.text) ? ' (no data is loaded for it)' : '';
    throw scope.error('semantic', `unknown table '${source.text}'${known}${hint}`, source.start);
  }

  const steps: Step[] = [];
  let input: RowScope = { description: `table ${table.name}`, schema: table.schema };
  for (const operator of query.body.operators) {
    const step = compileOperator(operator, input, scope);
    steps.push(step);
    input = { description: `the output of ${operator.kind}`, schema: step.schema };
  }

  return {
    run: () => {
      let relation: Relation = { schema: table.schema, columns: table.columns, selection: allRows(table.rowCount) };
      for (const step of steps) relation = step.run(relation);
      return relation;
    },
  };
}
