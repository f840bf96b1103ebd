/**
 * Hunts over the whole catalog (`hunt all`, `check <device>`) as one or more queries, each within
 * {@link MAX_QUERY_CHARS}, and one result from their results. A query's text is kept short so that
 * its portal link fits on a card (a card stays under Teams' 28 KB) and the query stays readable
 * where an analyst opens it; the services document no shorter limit.
 */
import type { QueryResult } from '../backends/backend';

/** The longest query text a batch holds (characters). */
export const MAX_QUERY_CHARS = 16_000;

/** Queries whose results together are one hunt's result. */
export interface QueryBatch {
  /** Each within {@link MAX_QUERY_CHARS}, at least one. */
  readonly queries: readonly string[];
  /** One result from the results of every query, in the order of {@link queries}. */
  merge(results: readonly QueryResult[]): QueryResult;
}

/** Thrown when one part of a hunt alone is longer than {@link MAX_QUERY_CHARS}. */
export class QueryTooLongError extends Error {
  constructor(
    readonly part: string,
    readonly length: number,
  ) {
    super(`the query for ${part} alone has ${length} characters, more than ${MAX_QUERY_CHARS}`);
    this.name = 'QueryTooLongError';
  }
}

/** A batch of one query, whose result is its own. */
export function singleQuery(kql: string): QueryBatch {
  return { queries: [kql], merge: (results) => results[0]! };
}

/**
 * Splits `items` into the fewest consecutive groups (greedily, in order) whose query — `build` of
 * the group — is within {@link MAX_QUERY_CHARS}, and returns the queries. `name` says which item a
 * too-long query is for.
 *
 * A query only grows with its items, so each group is the longest run from where the previous one
 * ended whose query fits, found by halving: about log2(n) builds per query instead of one per item
 * (a whole-catalog build per item made `hunt all` a quadratic cost on the bot's event loop). The
 * rest of the items is tried whole first: when it fits, as the whole catalog does today, that one
 * build is the query.
 */
export function packQueries<T>(items: readonly T[], build: (group: readonly T[]) => string, name: (item: T) => string): string[] {
  const queries: string[] = [];
  let start = 0;
  while (start < items.length) {
    const rest = build(items.slice(start));
    if (rest.length <= MAX_QUERY_CHARS) {
      queries.push(rest);
      break;
    }
    // The whole rest is too long: the halving looks below it.
    let fits = 0;
    let query = '';
    let tooLong = rest.length;
    let low = 1;
    let high = items.length - start - 1;
    while (low <= high) {
      const size = (low + high) >> 1;
      const candidate = build(items.slice(start, start + size));
      if (candidate.length <= MAX_QUERY_CHARS) {
        fits = size;
        query = candidate;
        low = size + 1;
      } else {
        tooLong = candidate.length;
        high = size - 1;
      }
    }
    if (fits === 0) throw new QueryTooLongError(name(items[start]!), tooLong);
    queries.push(query);
    start += fits;
  }
  return queries;
}

/** The partial-failure notes of several results, as one. */
function mergedPartial(results: readonly QueryResult[]): QueryResult['partial'] {
  const messages = results.flatMap((r, i) => (r.partial ? [results.length > 1 ? `query ${i + 1} of ${results.length}: ${r.partial.message}` : r.partial.message] : []));
  return messages.length ? { message: messages.join('; ') } : undefined;
}

/**
 * The union of results whose row sets are disjoint (each query covers other tools): rows in order.
 * With `maxDevices`, the results are capped ones (`Total`, top rows by `LastSeen`): the union keeps
 * the `maxDevices` most recently seen rows of all, and `Total` is the sum of the queries' totals.
 */
export function unionResults(results: readonly QueryResult[], options: { readonly maxDevices?: number } = {}): QueryResult {
  if (results.length === 0) throw new Error('no results to merge');
  const partial = mergedPartial(results);
  let rows = results.flatMap((r) => r.rows);
  if (options.maxDevices !== undefined) {
    const total = results.reduce((sum, r) => sum + (typeof r.rows[0]?.Total === 'number' ? (r.rows[0].Total as number) : 0), 0);
    rows = [...rows]
      .sort((a, b) => Date.parse(String(b.LastSeen)) - Date.parse(String(a.LastSeen)))
      .slice(0, options.maxDevices)
      .map((row) => ({ ...row, Total: total }));
  }
  return { columns: results[0]!.columns, rows, ...(partial ? { partial } : {}) };
}

/** Runs every query of a batch, one after the other (the backend's own limits apply to each), and merges the results. */
export async function runBatch(batch: QueryBatch, run: (kql: string) => Promise<QueryResult>): Promise<QueryResult> {
  const results: QueryResult[] = [];
  for (const kql of batch.queries) results.push(await run(kql));
  return batch.merge(results);
}
