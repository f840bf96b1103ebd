/**
 * Compiles a parsed query into a runnable plan: compiles the `let` statements in order (each seeing
 * the ones before it; a scalar `let` is a constant, a tabular one is computed at most once per
 * run), then the query's tabular expression.
 */
import type { Query } from './ast';
import { compileExpression } from './compile-expression';
import { compileTabular, isTabular } from './compile-tabular';
import { memoized } from './compiled-tabular';
import type { DataClock } from './data-clock';
import type { ScanSlices } from './scan-slices';
import type { Relation } from './relation';
import { Scope } from './scope';
import type { SourceText } from './source-text';
import type { TableProvider } from './table-provider';

/** What a query is compiled against. */
export interface CompileOptions {
  readonly source: SourceText;
  readonly tables: TableProvider;
  /** The query's `now()`, ms since the epoch. */
  readonly now: number;
  /** Compile on the data's own clock (see `data-clock.ts`): `now()` and datetime literals moved onto it. */
  readonly clock?: DataClock;
  /** Long scans run in slices (see `scan-slices.ts`). */
  readonly slices?: ScanSlices;
}

/** A compiled query. */
export interface QueryPlan {
  /** Runs the query over the tables it was compiled against. */
  run(): Relation;
}

/** Compiles `query`. Throws a {@link KqlError} for unknown names, type errors, unsupported constructs. */
export function compileQuery(query: Query, options: CompileOptions): QueryPlan {
  const { clock } = options;
  let scope = new Scope(options.source, clock ? options.now - clock.offsetMs : options.now, options.tables, new Map(), undefined, clock, options.slices);
  for (const statement of query.lets) {
    const value = statement.value;
    if (isTabular(value, scope)) {
      scope = scope.withLet(statement.name.text, memoized(compileTabular(value, scope)));
      continue;
    }
    const compiled = compileExpression(value, scope);
    if (compiled.kind !== 'constant') throw new Error('internal: a let value without row scope is constant');
    scope = scope.withLet(statement.name.text, compiled);
  }

  const body = query.body;
  if (!isTabular(body, scope)) {
    if (body.kind === 'name' && scope.lets.has(body.name)) {
      throw scope.error('unsupported', `'${body.name}' is a scalar let value; a query whose result is a scalar is not supported by the local KQL engine`, body.start);
    }
    if (body.kind === 'name') compileTabular(body, scope);
    throw scope.error('unsupported', 'a query whose result is a scalar is not supported by the local KQL engine', body.start);
  }
  const plan = compileTabular(body, scope);
  return { run: () => plan.run() };
}
