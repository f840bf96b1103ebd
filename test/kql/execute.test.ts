/**
 * The engine's semantics, each expectation worked out by hand from the Kusto documentation:
 * between is inclusive, now() is one instant per query, null handling, summarize.
 */
import { executeKql, KqlError, Table, tablesFrom, type TableProvider } from '../../src/kql';
import { COMPILE_REFUSALS } from '../support/kql-cases';
import { certificateTables, type CertificateEvent } from '../support/kql-tables';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();
const DAY = 86_400_000;
const HOUR = 3_600_000;

const run = (tables: TableProvider, query: string) => executeKql(query, { tables, now: NOW });
const ids = (tables: TableProvider, query: string): string[] => run(tables, query).rows.map((r) => r['DeviceId'] as string);

describe('where: between', () => {
  const tables = certificateTables([
    { DeviceId: 'start', Timestamp: at(-5 * DAY) },
    { DeviceId: 'before-start', Timestamp: at(-5 * DAY - 1) },
    { DeviceId: 'inside', Timestamp: at(-DAY) },
    { DeviceId: 'end', Timestamp: at(0) },
    { DeviceId: 'after-end', Timestamp: at(1) },
    { DeviceId: 'no-time', Timestamp: null },
  ]);

  test('is inclusive at both ends', () => {
    expect(ids(tables, 'let Time_start = now(-5d);\nlet Time_end = now();\nDeviceFileCertificateInfo | where Timestamp between (Time_start..Time_end)')).toEqual([
      'start',
      'inside',
      'end',
    ]);
  });

  test('ago(t) is now() - t', () => {
    expect(ids(tables, 'DeviceFileCertificateInfo | where Timestamp between (ago(5d) .. now())')).toEqual(['start', 'inside', 'end']);
    expect(ids(tables, 'DeviceFileCertificateInfo | where Timestamp between (ago(24h) .. ago(0s))')).toEqual(['inside', 'end']);
  });

  test('every now() of a query is the same instant', () => {
    expect(ids(tables, 'DeviceFileCertificateInfo | where Timestamp between (now() .. now())')).toEqual(['end']);
  });

  test('a datetime lower bound with a timespan upper bound means low + span', () => {
    expect(ids(tables, 'DeviceFileCertificateInfo | where Timestamp between (now(-5d) .. 4d)')).toEqual(['start', 'inside']);
  });

  test('a null value is neither in nor out of the range', () => {
    expect(ids(tables, 'DeviceFileCertificateInfo | where not(Timestamp between (ago(1d) .. now()))')).toEqual(['start', 'before-start', 'after-end']);
  });

  test('works on longs, inclusive', () => {
    const numbers = certificateTables([...[1, 2, 3, 4, 5].map((n): CertificateEvent => ({ DeviceId: `r${n}`, ReportId: n })), { DeviceId: 'none', ReportId: null }]);
    expect(ids(numbers, 'DeviceFileCertificateInfo | where ReportId between (2 .. 4)')).toEqual(['r2', 'r3', 'r4']);
    expect(ids(numbers, 'DeviceFileCertificateInfo | where ReportId between (2 .. 2.5)')).toEqual(['r2']);
  });

  test('works on a table whose time column is TimeGenerated', () => {
    const schema = [
      { name: 'TimeGenerated', type: 'datetime' as const },
      { name: 'DeviceId', type: 'string' as const },
    ];
    const table = Table.fromRecords('DeviceFileCertificateInfo', schema, [
      { TimeGenerated: at(-2 * DAY), DeviceId: 'in' },
      { TimeGenerated: at(-6 * DAY), DeviceId: 'out' },
    ]);
    expect(ids(tablesFrom([table]), 'DeviceFileCertificateInfo | where TimeGenerated between (now(-5d)..now())')).toEqual(['in']);
  });
});

describe('where: comparisons and logic', () => {
  const events: CertificateEvent[] = [
    { DeviceId: 'a', DeviceName: 'WS-FIN-014', Signer: 'Kaseya Holdings', IsTrusted: true },
    { DeviceId: 'b', DeviceName: 'ws-fin-014.corp.example', Signer: 'Kaseya Holdings', IsTrusted: false },
    { DeviceId: 'c', DeviceName: 'ws-fin-0140', Signer: 'Other', IsTrusted: null },
    { DeviceId: 'd', DeviceName: 'ws-fin-014', Signer: 'Kaseya Holdings', IsTrusted: null },
  ];
  const tables = certificateTables(events);

  test.each<[string, string[]]>([
    ["DeviceName == 'ws-fin-014'", ['d']],
    ["DeviceName != 'ws-fin-014'", ['a', 'b', 'c']],
    ["DeviceName =~ 'ws-fin-014'", ['a', 'd']],
    ["DeviceName startswith 'WS-FIN-014.'", ['b']],
    ["DeviceName startswith ''", ['a', 'b', 'c', 'd']],
    ["DeviceName =~ 'ws-fin-014' or DeviceName startswith 'ws-fin-014.'", ['a', 'b', 'd']],
    // bool column, three-valued: null is neither true nor false
    ['IsTrusted', ['a']],
    ['not(IsTrusted)', ['b']],
    ['IsTrusted == true', ['a']],
    ['IsTrusted == false', ['b']],
    // Kusto: null != non-null is true
    ['IsTrusted != true', ['b', 'c', 'd']],
    // Kleene logic: null or true = true; null and true = null; null and false = false
    ["IsTrusted or Signer has 'Kaseya'", ['a', 'b', 'd']],
    ["IsTrusted and Signer has 'Kaseya'", ['a']],
    ["not(IsTrusted and Signer has 'Kaseya')", ['b', 'c']],
    ["not(IsTrusted or Signer has 'Kaseya')", []],
    ['true', ['a', 'b', 'c', 'd']],
    ['false', []],
    ["'a' == 'a' and DeviceId == 'c'", ['c']],
  ])('where %s', (predicate, expected) => {
    expect(ids(tables, `DeviceFileCertificateInfo | where ${predicate}`)).toEqual(expected);
  });

  test('a column takes precedence over a let of the same name', () => {
    expect(ids(tables, "let DeviceId = 'a';\nDeviceFileCertificateInfo | where DeviceId == 'c'")).toEqual(['c']);
  });

  test('let values can use earlier lets', () => {
    expect(ids(tables, "let a = 'Kaseya';\nlet b = a;\nDeviceFileCertificateInfo | where Signer has b and IsTrusted")).toEqual(['a']);
  });

  test('where clauses chain', () => {
    expect(ids(tables, "DeviceFileCertificateInfo\n| where Signer has 'kaseya'\n| where DeviceName =~ 'WS-FIN-014'")).toEqual(['a', 'd']);
  });
});

describe('summarize', () => {
  const events: CertificateEvent[] = [
    { DeviceId: 'd1', DeviceName: 'one', Timestamp: at(-3 * HOUR), ReportId: 10, SHA1: 'x' },
    { DeviceId: 'd2', DeviceName: 'two', Timestamp: null, ReportId: null, SHA1: '' },
    { DeviceId: 'd1', DeviceName: 'one', Timestamp: at(-1 * HOUR), ReportId: 11, SHA1: 'x' },
    { DeviceId: 'd1', DeviceName: 'one', Timestamp: null, ReportId: 10, SHA1: '' },
    { DeviceId: 'd3', DeviceName: 'three', Timestamp: at(-2 * HOUR), ReportId: 12, SHA1: 'y' },
    { DeviceId: 'd1', DeviceName: 'one-renamed', Timestamp: at(-2 * HOUR), ReportId: 13, SHA1: 'z' },
  ];
  const tables = certificateTables(events);

  test('the seed aggregation: min/max skip nulls, make_set skips nulls and repeats, count counts rows', () => {
    const result = run(
      tables,
      'DeviceFileCertificateInfo | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
    );
    expect(result.columns).toEqual([
      { name: 'DeviceId', type: 'string' },
      { name: 'DeviceName', type: 'string' },
      { name: 'FirstSeen', type: 'datetime' },
      { name: 'LastSeen', type: 'datetime' },
      { name: 'Report', type: 'dynamic' },
      { name: 'Count', type: 'long' },
    ]);
    expect(result.rows).toEqual([
      { DeviceId: 'd1', DeviceName: 'one', FirstSeen: '2024-06-10T09:00:00.000Z', LastSeen: '2024-06-10T11:00:00.000Z', Report: [10, 11], Count: 3 },
      { DeviceId: 'd2', DeviceName: 'two', FirstSeen: null, LastSeen: null, Report: [], Count: 1 },
      { DeviceId: 'd3', DeviceName: 'three', FirstSeen: '2024-06-10T10:00:00.000Z', LastSeen: '2024-06-10T10:00:00.000Z', Report: [12], Count: 1 },
      { DeviceId: 'd1', DeviceName: 'one-renamed', FirstSeen: '2024-06-10T10:00:00.000Z', LastSeen: '2024-06-10T10:00:00.000Z', Report: [13], Count: 1 },
    ]);
  });

  test('unnamed results get Kusto names, by columns come first', () => {
    const result = run(tables, 'DeviceFileCertificateInfo | summarize count(), min(Timestamp), max(ReportId), make_set(SHA1) by DeviceId');
    expect(result.columns.map((c) => c.name)).toEqual(['DeviceId', 'count_', 'min_Timestamp', 'max_ReportId', 'set_SHA1']);
    // strings are never null in Kusto: the empty string is a value of the set
    expect(result.rows[0]).toEqual({ DeviceId: 'd1', count_: 4, min_Timestamp: '2024-06-10T09:00:00.000Z', max_ReportId: 13, set_SHA1: ['x', '', 'z'] });
  });

  test('make_set keeps at most maxSize values', () => {
    const result = run(tables, 'DeviceFileCertificateInfo | summarize s = make_set(ReportId, 2) by DeviceId');
    expect(result.rows[0]).toEqual({ DeviceId: 'd1', s: [10, 11] });
  });

  test('make_set of datetimes gives ISO strings', () => {
    const result = run(tables, "DeviceFileCertificateInfo | where DeviceId == 'd3' | summarize make_set(Timestamp)");
    expect(result.rows).toEqual([{ set_Timestamp: ['2024-06-10T10:00:00.000Z'] }]);
  });

  test('without by: one row, even when no row is selected', () => {
    expect(run(tables, 'DeviceFileCertificateInfo | summarize n = count(), first = min(Timestamp)').rows).toEqual([{ n: 6, first: '2024-06-10T09:00:00.000Z' }]);
    expect(run(tables, "DeviceFileCertificateInfo | where DeviceId == 'nobody' | summarize n = count(), first = min(Timestamp), s = make_set(ReportId)").rows).toEqual([
      { n: 0, first: null, s: [] },
    ]);
  });

  test('with by and no selected row: no rows', () => {
    const result = run(tables, "DeviceFileCertificateInfo | where DeviceId == 'nobody' | summarize count() by DeviceId");
    expect(result.rows).toEqual([]);
    expect(result.columns).toEqual([
      { name: 'DeviceId', type: 'string' },
      { name: 'count_', type: 'long' },
    ]);
  });

  test('null keys group together', () => {
    const result = run(tables, 'DeviceFileCertificateInfo | summarize n = count() by ReportId');
    expect(result.rows).toEqual([
      { ReportId: 10, n: 2 },
      { ReportId: null, n: 1 },
      { ReportId: 11, n: 1 },
      { ReportId: 12, n: 1 },
      { ReportId: 13, n: 1 },
    ]);
  });

  test('summarize by a renamed key, then filter its output', () => {
    const result = run(tables, "DeviceFileCertificateInfo | summarize n = count() by Device = DeviceId | where Device == 'd1' | summarize total = count()");
    expect(result.rows).toEqual([{ total: 1 }]);
  });

  test('summarize output columns are what later operators see', () => {
    expect(() => run(tables, 'DeviceFileCertificateInfo | summarize n = count() by DeviceId | where Signer has "x"')).toThrow(
      "unknown column or variable 'Signer' in the output of summarize (line 1, column 71)",
    );
  });
});

describe('refused queries', () => {
  const tables = certificateTables([{ DeviceId: 'd1', Signer: 'Kaseya', ReportId: 1 }]);

  test.each(COMPILE_REFUSALS.map((c) => [c.query, c.kind, c] as const))('%j → %s', (query, kind, c) => {
    let error: unknown;
    try {
      run(tables, query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KqlError);
    const kqlError = error as KqlError;
    expect(kqlError.kind).toBe(kind);
    expect(kqlError.detail).toContain(c.message);
    expect(kqlError.position).toEqual({ line: c.line, column: c.column });
    expect(kqlError.message).toBe(`${kqlError.detail} (line ${c.line}, column ${c.column})`);
  });
});
