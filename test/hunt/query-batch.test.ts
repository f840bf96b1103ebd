/**
 * Hunts over the whole catalog as batches: every query within the limit, every tool in exactly one
 * query, every query accepted by Kusto's parser in both dialects, and results merged as one.
 */
import type { Dialect, QueryResult } from '../../src/backends/backend';
import { loadCatalog } from '../../src/hunt/catalog';
import { buildAllToolsQueries, buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQueries } from '../../src/hunt/hunt-queries-device-check';
import { MAX_QUERY_CHARS, packQueries, QueryTooLongError, runBatch, unionResults } from '../../src/hunt/query-batch';
import { parseWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS } from '../../src/kql/schemas';
import type { TableSchema } from '../../src/kql/table';
import { KustoReferee } from '../support/kql-language-service';

const catalog = loadCatalog();
const WINDOW = parseWindow('5d')!;
const HOSTILE = "ws-01' or 1==1 | take 10 //\\\" \n";

function logAnalyticsSchemas(): Record<string, TableSchema> {
  return Object.fromEntries(
    Object.entries(DEFENDER_SCHEMAS).map(([table, columns]) => [table, [{ name: 'TimeGenerated', type: 'datetime' }, ...columns.filter((c) => c.name !== 'Timestamp')]]),
  );
}

function toolsOf(query: string): string[] {
  return [...query.matchAll(/Tool = '([^']+)'/g)].map((m) => m[1]!);
}

describe('packQueries', () => {
  test('the fewest consecutive groups within the limit, in order', () => {
    const build = (group: readonly number[]) => 'x'.repeat(group.reduce((a, b) => a + b, 0));
    const half = MAX_QUERY_CHARS / 2;
    expect(packQueries([half, half, 1, half], build, String).map((q) => q.length)).toEqual([MAX_QUERY_CHARS, half + 1]);
    expect(() => packQueries([MAX_QUERY_CHARS + 1], build, () => 'the big one')).toThrow(QueryTooLongError);
  });

  test('the same groups as adding one item at a time, with about log2(n) builds per query', () => {
    const sizes = Array.from({ length: 600 }, (_, i) => 40 + ((i * 7919) % 211));
    let builds = 0;
    const build = (group: readonly number[]) => {
      builds += 1;
      return 'x'.repeat(group.reduce((a, b) => a + b, 20));
    };
    const oneAtATime: number[][] = [];
    for (const size of sizes) {
      const last = oneAtATime[oneAtATime.length - 1];
      if (last && last.reduce((a, b) => a + b, 20 + size) <= MAX_QUERY_CHARS) last.push(size);
      else oneAtATime.push([size]);
    }
    const queries = packQueries(sizes, build, String);
    expect(queries.map((q) => q.length)).toEqual(oneAtATime.map((group) => group.reduce((a, b) => a + b, 20)));
    expect(queries.length).toBeGreaterThan(4);
    expect(builds).toBeLessThanOrEqual(queries.length * (Math.ceil(Math.log2(sizes.length)) + 1));
  });

  test('items whose query fits whole are built once', () => {
    let builds = 0;
    const build = (group: readonly number[]) => {
      builds += 1;
      return 'x'.repeat(group.reduce((a, b) => a + b, 0));
    };
    expect(packQueries(Array.from({ length: 200 }, () => 50), build, String).map((q) => q.length)).toEqual([10_000]);
    expect(builds).toBe(1);
  });
});

describe('unionResults', () => {
  const columns = [{ name: 'Tool', type: 'string' }];
  const row = (tool: string, last: string, total: number) => ({ Tool: tool, LastSeen: last, Total: total });

  test('capped: the most recently seen rows of all, and the sum of the totals', () => {
    const a: QueryResult = { columns, rows: [row('a', '2026-01-03T00:00:00Z', 5), row('a2', '2026-01-01T00:00:00Z', 5)] };
    const b: QueryResult = { columns, rows: [row('b', '2026-01-02T00:00:00Z', 3)], partial: { message: 'timed out' } };
    const merged = unionResults([a, b], { maxDevices: 2 });
    expect(merged.rows.map((r) => r.Tool)).toEqual(['a', 'b']);
    expect(merged.rows.map((r) => r.Total)).toEqual([8, 8]);
    expect(merged.partial).toEqual({ message: 'query 2 of 2: timed out' });
  });

  test('uncapped: every row, in query order', async () => {
    const results: QueryResult[] = [
      { columns, rows: [{ Tool: 'x' }] },
      { columns, rows: [{ Tool: 'y' }] },
    ];
    const ran: string[] = [];
    const merged = await runBatch({ queries: ['q1', 'q2'], merge: (r) => unionResults(r) }, async (kql) => {
      ran.push(kql);
      return results[ran.length - 1]!;
    });
    expect(ran).toEqual(['q1', 'q2']);
    expect(merged.rows).toEqual([{ Tool: 'x' }, { Tool: 'y' }]);
  });
});

describe('the whole catalog in batches', () => {
  let referees: Record<Dialect, KustoReferee>;
  beforeAll(() => {
    referees = { defender: new KustoReferee(), loganalytics: new KustoReferee(logAnalyticsSchemas()) };
  }, 30_000);

  test.each(['defender', 'loganalytics'] as const)('hunt all: every signature tool once, each query within the limit and accepted by Kusto (%s)', (dialect) => {
    for (const device of [undefined, HOSTILE]) {
      const batch = buildAllToolsQueries({ tools: catalog.tools, window: WINDOW, ...(device !== undefined ? { device } : {}) }, { dialect, maxDevices: 500 });
      expect(batch.queries.flatMap(toolsOf)).toEqual(catalog.tools.filter((t) => t.fileSignature).map((t) => t.id));
      for (const [i, query] of batch.queries.entries()) {
        expect(query.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
        expect({ i, errors: referees[dialect].errors(query) }).toEqual({ i, errors: [] });
      }
    }
  }, 60_000);

  test.each(['defender', 'loganalytics'] as const)('check: every hunt of every tool once, in several queries within the limit, accepted by Kusto (%s)', (dialect) => {
    const batch = buildDeviceCheckQueries({ tools: catalog.tools, window: WINDOW, device: HOSTILE }, { dialect });
    expect(batch.queries.length).toBeGreaterThan(1);
    const legs = batch.queries.flatMap((q) => [...q.matchAll(/Tool = '([^']+)', Evidence = '([^']+)'/g)].map((m) => `${m[1]}/${m[2]}`));
    const expected = catalog.tools.flatMap((t) => [
      ...(t.fileSignature ? [`${t.id}/file-signature`] : []),
      ...(t.process ? [`${t.id}/process`] : []),
      ...(t.network ? [`${t.id}/network`] : []),
    ]);
    expect(legs).toEqual(expected);
    for (const [i, query] of batch.queries.entries()) {
      expect(query.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
      expect({ i, errors: referees[dialect].errors(query) }).toEqual({ i, errors: [] });
    }
  }, 120_000);

  test('a batch of one query is that query', () => {
    const kaseya = [catalog.get('kaseya')!];
    const batch = buildAllToolsQueries({ tools: kaseya, window: WINDOW }, { dialect: 'defender' });
    expect(batch.queries).toEqual([buildAllToolsQuery({ tools: kaseya, window: WINDOW }, { dialect: 'defender' })]);
  });
});
