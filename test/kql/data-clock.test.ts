/**
 * A recorded sample's shift on the data's own clock (`src/kql/data-clock.ts`): `executeKql` with
 * `datetimeShiftMs` must answer exactly as the same query over tables whose datetimes were moved
 * (what the local backend did before, a copy per query), and must not copy for what HuntOps runs:
 *
 * - every query the hunt builders emit (each catalog tool and hunt kind, with and without a device,
 *   all tools, the device check, the evidence and instances queries) and every public rule (as
 *   written, and as a hunt over a window), over the shipped recorded sample and over generated data
 *   that plants every catalog hunt, run on the data's clock with the moved tables' answer, rows
 *   and order and every datetime alike (a refused rule: the same error);
 * - literal datetimes, `now()`, `ago()`, `between`, datetime arithmetic, `in`, `toscalar`,
 *   `datatable`: on the data's clock, same answer;
 * - what depends on where a datetime falls on the calendar (`bin`, `startofday`, `tostring`,
 *   `strcat`, sets and lists of datetimes, `todatetime` of text): over moved tables, same answer;
 * - random tables, offsets and queries (fast-check): same answer.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQueries } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQueries, hasHunt } from '../../src/hunt/hunt-queries-device-check';
import { buildEvidenceQueries } from '../../src/hunt/evidence-queries';
import { buildInstancesQuery } from '../../src/hunt/evidence-instances';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { buildRuleHunt } from '../../src/hunt/rule-hunt';
import { loadRuleDir } from '../../src/hunt/rules';
import { parseWindow, type HuntWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS, executeKql, KqlError, Table, tablesFrom, type DefenderTableName, type KqlResult } from '../../src/kql';
import { runsOnDataClock } from '../../src/kql/execute';
import { generateDataset } from '../../scripts/generate-data';
import { RMM_HUNTS_DIR } from '../support/shared';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const SAMPLE_DIR = path.join(__dirname, '..', '..', 'data', 'sample');
const catalog = loadCatalog();

/** The tables of a data folder, as they are on disk (not moved). */
function readTables(dir: string): Table[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => {
      const name = f.replace(/\.jsonl$/, '') as DefenderTableName;
      const records = readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      return Table.fromRecords(name, DEFENDER_SCHEMAS[name], records);
    });
}

/** What a query gives: its result, or the error it was refused with. */
function outcome(run: () => KqlResult): KqlResult | { refused: string } {
  try {
    return run();
  } catch (error) {
    if (error instanceof KqlError) return { refused: error.message };
    throw error;
  }
}

interface DataSet {
  readonly tables: readonly Table[];
  readonly anchor: number;
}

/** What {@link compare} saw. */
interface Compared {
  readonly onDataClock: boolean;
  readonly rows: number;
  readonly refused: boolean;
}

/** Runs `kql` both ways at `now` and expects the same outcome; says whether it ran on the data's clock, its rows, whether it was refused. */
function compare(data: DataSet, kql: string, now: Date): Compared {
  const shift = now.getTime() - data.anchor;
  const moved = tablesFrom(data.tables.map((t) => t.withShiftedDatetimes(shift)));
  const asIs = tablesFrom(data.tables);
  const expected = outcome(() => executeKql(kql, { tables: moved, now }));
  const actual = outcome(() => executeKql(kql, { tables: asIs, now, datetimeShiftMs: shift }));
  expect({ kql, outcome: actual }).toEqual({ kql, outcome: expected });
  const refused = 'refused' in expected;
  return { onDataClock: !refused && runsOnDataClock(kql, { tables: asIs, now, datetimeShiftMs: shift }), rows: refused ? 0 : expected.rows.length, refused };
}

const KINDS: readonly HuntKind[] = ['file-signature', 'process', 'network'];

/** Every query the hunt builders emit for `tools` over `window`, for a device name and a device id of the data. */
function builderQueries(tools: readonly RmmTool[], window: HuntWindow, device: { name: string; id: string }): string[] {
  const queries: string[] = [];
  for (const tool of tools) {
    for (const kind of KINDS.filter((k) => hasHunt(tool, k))) {
      queries.push(buildHuntQuery({ tool, window, kind }, { dialect: 'defender' }));
      queries.push(buildHuntQuery({ tool, window, kind, device: device.name }, { dialect: 'defender' }));
    }
    if (!hasHunt(tool, 'network')) continue;
    const evidence = buildEvidenceQueries({ tool, deviceId: device.id, window }, { dialect: 'defender' });
    queries.push(...[evidence.files, evidence.processes, evidence.network, evidence.device].filter((q): q is string => q !== undefined));
    queries.push(buildInstancesQuery({ tool, window }, { dialect: 'defender' }));
  }
  queries.push(...buildAllToolsQueries({ tools, window }, { dialect: 'defender' }).queries);
  queries.push(...buildDeviceCheckQueries({ tools, device: device.name, window }, { dialect: 'defender' }).queries);
  return queries;
}

/** A device of the data, by a certificate row signed by Kaseya (every data set here has one). */
function kaseyaDevice(data: DataSet): { name: string; id: string } {
  const result = executeKql("DeviceFileCertificateInfo | where Signer has 'Kaseya' | take 1 | project DeviceName, DeviceId", { tables: tablesFrom(data.tables), now: new Date(data.anchor) });
  const row = result.rows[0]!;
  return { name: String(row['DeviceName']).split('.')[0]!, id: String(row['DeviceId']) };
}

describe('the shipped recorded sample (data/sample)', () => {
  const anchor = Date.parse((JSON.parse(readFileSync(path.join(SAMPLE_DIR, 'dataset.json'), 'utf8')) as { anchor: string }).anchor);
  const data: DataSet = { tables: readTables(SAMPLE_DIR), anchor };
  // An offset with days, hours, minutes, seconds and milliseconds in it.
  const now = new Date(anchor + 523 * DAY + 3 * 3_600_000 + 17 * 60_000 + 12_345);

  test.each(['1d', '5d', '30d'])('every hunt builder query over %s: same answer, on the data clock', (text) => {
    const queries = builderQueries(catalog.tools, parseWindow(text)!, kaseyaDevice(data));
    const runs = queries.map((kql) => compare(data, kql, now));
    expect(runs.filter((r) => !r.onDataClock)).toEqual([]);
    expect(runs.filter((r) => r.rows > 0).length).toBeGreaterThan(20);
  });
});

describe('generated data planting every catalog hunt, and the public rules', () => {
  let dir: string;
  let data: DataSet;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-data-clock-'));
    const info = await generateDataset({ out: dir, preset: 'large', rows: 800 });
    data = { tables: readTables(dir), anchor: Date.parse(info.anchor) };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every hunt builder query: same answer, on the data clock', () => {
    const now = new Date(data.anchor + 40 * DAY + 1);
    const runs = builderQueries(catalog.tools, parseWindow('5d')!, kaseyaDevice(data)).map((kql) => compare(data, kql, now));
    expect(runs.filter((r) => !r.onDataClock)).toEqual([]);
    expect(runs.filter((r) => r.rows > 0).length).toBeGreaterThan(200);
  });

  test('every public rule, as written and as a hunt over 5 days: same answer (or the same refusal), on the data clock', async () => {
    const { rules } = await loadRuleDir(RMM_HUNTS_DIR);
    expect(rules.length).toBeGreaterThan(150);
    const now = new Date(data.anchor + 3 * DAY + 7_777);
    // The network rules summarise by AccountUpn, which DeviceNetworkEvents lacks (Kusto refuses them, see public-rules.test.ts): also as meant.
    const asMeant = (kql: string): string => (/\bDeviceNetworkEvents\b/.test(kql) ? kql.replace(/AccountUpn,\s*/g, '') : kql);
    const runs = rules
      .flatMap((rule) => [rule.query, buildRuleHunt(rule, { window: parseWindow('5d')! }).kql])
      .flatMap((kql) => [kql, asMeant(kql)])
      .map((kql) => ({ kql, ...compare(data, kql, now) }));
    expect(runs.filter((r) => !r.refused && !r.onDataClock).map((r) => r.kql)).toEqual([]);
    expect(runs.filter((r) => r.refused).length).toBeGreaterThan(0);
    expect(runs.filter((r) => r.rows > 0).length).toBeGreaterThan(300);
  });
});

describe('constructs', () => {
  const ANCHOR = Date.parse('2024-01-01T00:00:00.000Z');
  const tables = [
    Table.fromRecords(
      'DeviceFileCertificateInfo',
      DEFENDER_SCHEMAS.DeviceFileCertificateInfo,
      [
        { Timestamp: '2023-12-31T23:59:59.999Z', DeviceId: 'a', DeviceName: 'ws-a', Signer: 'Kaseya', ReportId: 1, CertificateExpirationTime: '2025-03-01T00:00:00Z' },
        { Timestamp: '2023-12-30T12:00:00.000Z', DeviceId: 'a', DeviceName: 'ws-a', Signer: 'Kaseya', ReportId: 2 },
        { Timestamp: '2023-12-25T00:00:00.000Z', DeviceId: 'b', DeviceName: 'ws-b', Signer: 'AnyDesk', ReportId: 3, CertificateExpirationTime: '2024-01-02T00:00:00Z' },
        { Timestamp: null, DeviceId: 'c', DeviceName: 'ws-c', Signer: 'Kaseya', ReportId: 4 },
        { Timestamp: '2023-11-01T08:30:00.250Z', DeviceId: 'd', DeviceName: 'ws-d', Signer: 'TeamViewer', ReportId: 5 },
      ],
    ),
  ];
  const data: DataSet = { tables, anchor: ANCHOR };
  // 2024-06-10T11:00:00.123Z: the first row is seen at 2024-06-10T11:00:00.122Z, the second at 2024-06-08T23:00:00.123Z.
  const now = new Date(ANCHOR + 161 * DAY + 11 * 3_600_000 + 123);
  const T = 'DeviceFileCertificateInfo';

  test.each([
    `${T} | where Timestamp between (ago(5d) .. now()) | summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Count = count() by DeviceId`,
    `${T} | where Timestamp > datetime(2024-06-05) | project DeviceId, Timestamp`,
    `${T} | where Timestamp between (datetime(2024-06-01) .. 10d) | project DeviceId`,
    `let since = datetime(2024-05-01T08:30:00.250Z); ${T} | where Timestamp == datetime(2024-06-08T23:00:00.123Z) or Timestamp <= since | project DeviceId, Timestamp`,
    `${T} | extend Now = now(), Age = now() - Timestamp, Next = Timestamp + 1d, Before = Timestamp - 1h, Left = CertificateExpirationTime - Timestamp | project DeviceId, Now, Age, Next, Before, Left`,
    `${T} | summarize arg_max(Timestamp, *) by DeviceId`,
    `${T} | summarize arg_min(Timestamp, ReportId, CertificateExpirationTime), take_any(Timestamp), dcount(Timestamp) by Signer`,
    `${T} | sort by Timestamp desc | take 3 | project DeviceId, Timestamp`,
    `${T} | top 2 by Timestamp asc | project DeviceId`,
    `${T} | where Timestamp in (datetime(2024-06-10T11:00:00.122Z), datetime(2024-06-08)) | project DeviceId`,
    `let last = toscalar(${T} | summarize max(Timestamp)); ${T} | where Timestamp >= last - 2d | project DeviceId, last`,
    `datatable(At: datetime, Name: string)[datetime(2024-06-10T11:00:00.122Z), 'ws-a', datetime(2020-01-01), 'ws-x'] | join kind=inner (${T} | project At = Timestamp, DeviceId) on At | project Name, At, DeviceId`,
    `${T} | extend Shown = iff(isnull(Timestamp), now(), Timestamp), First = coalesce(Timestamp, CertificateExpirationTime) | summarize by DeviceId, Shown, First`,
    `${T} | where isnotnull(Timestamp) and Timestamp !between (ago(7d) .. now()) | count`,
  ])('on the data clock, same answer: %s', (kql) => {
    const compared = compare(data, kql, now);
    expect(compared).toMatchObject({ onDataClock: true, refused: false });
    expect(compared.rows).toBeGreaterThan(0);
  });

  test.each([
    `${T} | summarize count() by bin(Timestamp, 1d)`,
    `${T} | summarize count() by bin(Timestamp, 7d)`,
    `${T} | extend Day = startofday(Timestamp) | project DeviceId, Day`,
    `${T} | project DeviceId, When = tostring(Timestamp)`,
    `${T} | project DeviceId, When = strcat('seen ', Timestamp)`,
    `${T} | summarize make_set(Timestamp), make_list(CertificateExpirationTime) by DeviceId`,
    `${T} | summarize make_set_if(Timestamp, ReportId > 1) by DeviceId`,
    `${T} | where Timestamp > todatetime('2024-06-05T00:00:00Z') | project DeviceId`,
    `${T} | extend Parsed = todatetime(DeviceName) | project DeviceId, Parsed`,
  ])('over moved tables (the calendar matters), same answer: %s', (kql) => {
    expect(compare(data, kql, now)).toMatchObject({ onDataClock: false, refused: false });
  });

  test('a refusal is the same on both clocks', () => {
    expect(compare(data, `${T} | where Timestamp > ago(1d) | summarize max(Timestmap)`, now)).toMatchObject({ refused: true });
    expect(compare(data, `${T} | summarize count() by bin(Timestamp, 1d) | where nosuch > 1`, now)).toMatchObject({ refused: true });
  });

  test('no shift runs the query as it is', () => {
    const asIs = tablesFrom(tables);
    expect(executeKql(`${T} | project Timestamp | take 1`, { tables: asIs, now, datetimeShiftMs: 0 })).toEqual(executeKql(`${T} | project Timestamp | take 1`, { tables: asIs, now }));
    expect(() => executeKql(`${T} | take 1`, { tables: asIs, now, datetimeShiftMs: NaN })).toThrow(RangeError);
  });
});

describe('random tables, offsets and queries', () => {
  const T = 'DeviceFileCertificateInfo';
  const queries = [
    `${T} | where Timestamp between (ago(5d) .. now()) | summarize FirstSeen = min(Timestamp), LastSeen = max(Timestamp), Count = count() by DeviceId | sort by DeviceId asc`,
    `${T} | where Timestamp > ago(2d) and CertificateExpirationTime < now(30d) | project DeviceId, Timestamp, CertificateExpirationTime`,
    `${T} | summarize arg_max(Timestamp, CertificateExpirationTime) by DeviceId | sort by DeviceId asc`,
    `${T} | extend Age = now() - Timestamp | where Age < 3d | project DeviceId, Age, Timestamp`,
    `${T} | where Timestamp >= datetime(2024-03-01) | project DeviceId, Timestamp`,
    `${T} | summarize count() by bin(Timestamp, 1d) | sort by Timestamp asc`,
  ];
  const base = Date.parse('2024-03-01T00:00:00.000Z');
  const row = fc.record({
    DeviceId: fc.constantFrom('a', 'b', 'c'),
    Timestamp: fc.option(fc.integer({ min: base - 20 * DAY, max: base + 20 * DAY }), { nil: null }),
    CertificateExpirationTime: fc.option(fc.integer({ min: base - 20 * DAY, max: base + 400 * DAY }), { nil: null }),
  });

  test('same answer both ways', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.integer({ min: -400 * DAY, max: 900 * DAY }), fc.nat(queries.length - 1), (rows, offset, q) => {
        const table = Table.fromRecords(
          T,
          DEFENDER_SCHEMAS.DeviceFileCertificateInfo,
          rows.map((r) => ({
            DeviceId: r.DeviceId,
            Timestamp: r.Timestamp === null ? null : new Date(r.Timestamp).toISOString(),
            CertificateExpirationTime: r.CertificateExpirationTime === null ? null : new Date(r.CertificateExpirationTime).toISOString(),
          })),
        );
        compare({ tables: [table], anchor: base }, queries[q]!, new Date(base + offset));
      }),
      { numRuns: 300 },
    );
  });
});
