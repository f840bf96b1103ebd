/**
 * The process and network hunts of every catalog tool run on the local engine and find what their
 * condition says: for each tool, an event meeting every clause is found, and for each clause an
 * event meeting all the others but not that one is not (so every `and` and every `or` counts).
 * Events are made from the catalog's own predicates, in both dialects.
 */
import type { Dialect } from '../../src/backends/backend';
import { loadCatalog, type HuntClause, type HuntPredicate, type RmmTool } from '../../src/hunt/catalog';
import { buildHuntQuery, timeColumn } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS, executeKql, Table, tablesFrom, type TableSchema } from '../../src/kql';

const catalog = loadCatalog();
const NOW = new Date('2024-06-10T12:00:00.000Z');
const INSIDE = '2024-06-09T12:00:00Z';
const BEFORE = '2024-06-01T12:00:00Z';
const SIGNED_SHA1 = 'aa11aa11aa11aa11aa11aa11aa11aa11aa11aa11';
const UNSIGNED_SHA1 = 'bb22bb22bb22bb22bb22bb22bb22bb22bb22bb22';

type Kind = 'process' | 'network';
type Event = Record<string, string | number>;

function schemaOf(table: keyof typeof DEFENDER_SCHEMAS, dialect: Dialect): TableSchema {
  const columns = DEFENDER_SCHEMAS[table];
  return dialect === 'defender' ? columns : [{ name: 'TimeGenerated', type: 'datetime' }, ...columns.filter((c) => c.name !== 'Timestamp')];
}

/** A value of `predicate`'s column that meets it. */
function meeting(predicate: HuntPredicate): string {
  switch (predicate.op) {
    case 'has':
      return `${predicate.values.at(-1)!} (x64)`;
    case 'startswith':
      return `${predicate.values.at(-1)!}-helper.exe`;
    case '=~':
      return predicate.values.at(-1)!.toUpperCase();
    case 'isempty':
      return '';
    case 'signedBy':
      return SIGNED_SHA1;
  }
}

/** A value of `predicate`'s column that fails it. */
function failing(predicate: HuntPredicate): string {
  return predicate.op === 'signedBy' ? UNSIGNED_SHA1 : 'zzqv unrelated';
}

/** For each clause, the predicate an event will meet it by: the first whose column no other clause needs. */
function chosen(filter: readonly HuntClause[]): HuntPredicate[] {
  const used = new Set<string>();
  return filter.map((clause) => {
    const predicate = clause.find((p) => !used.has(p.column) && !filter.some((other) => other !== clause && other.some((q) => q.column === p.column)));
    if (!predicate) throw new Error(`no independent predicate in ${JSON.stringify(clause)}`);
    used.add(predicate.column);
    return predicate;
  });
}

interface Case {
  readonly events: Event[];
  readonly expected: string[];
}

/** One device meeting every clause, and one per clause meeting every other clause but not that one (nor, by any of its alternatives). */
function casesFor(filter: readonly HuntClause[], time: string): Case {
  const meet = chosen(filter);
  const base = (device: string): Event => ({ [time]: INSIDE, DeviceId: device, DeviceName: device, ReportId: 1 });
  const hit: Event = { ...base('hit'), ...Object.fromEntries(meet.map((p) => [p.column, meeting(p)])) };
  const misses = filter.map((clause, i) => {
    const event: Event = { ...hit, ...base(`miss-${i}`) };
    for (const predicate of clause) event[predicate.column] = failing(predicate);
    return event;
  });
  const late: Event = { ...hit, ...base('too-early'), [time]: BEFORE };
  return { events: [hit, ...misses, late], expected: ['hit'] };
}

function run(tool: RmmTool, kind: Kind, dialect: Dialect, events: Event[], device?: string): string[] {
  const time = timeColumn(dialect);
  const table = kind === 'process' ? 'DeviceProcessEvents' : 'DeviceNetworkEvents';
  const certificates = [
    { [time]: INSIDE, DeviceId: 'elsewhere', DeviceName: 'elsewhere', SHA1: SIGNED_SHA1, Signer: 'DWSNET OÜ', ReportId: 9 },
    { [time]: BEFORE, DeviceId: 'elsewhere', DeviceName: 'elsewhere', SHA1: UNSIGNED_SHA1, Signer: 'DWSNET OÜ', ReportId: 9 },
  ];
  const tables = tablesFrom([
    Table.fromRecords(table, schemaOf(table, dialect), events),
    Table.fromRecords('DeviceFileCertificateInfo', schemaOf('DeviceFileCertificateInfo', dialect), certificates),
  ]);
  const query = buildHuntQuery({ tool, window: parseWindow('5d')!, kind, ...(device !== undefined ? { device } : {}) }, { dialect });
  return executeKql(query, { tables, now: NOW })
    .rows.map((r) => String(r['DeviceId']))
    .sort();
}

const hunts = catalog.tools.flatMap((tool) =>
  (['process', 'network'] as const).flatMap((kind) => (tool[kind] ? [[tool.id, kind, tool, tool[kind]!.filter] as const] : [])),
);

describe('process and network hunts on the engine', () => {
  test('every process and network hunt of the catalog is tried', () => {
    expect(hunts).toHaveLength(189 + 169);
  });

  test.each(['defender', 'loganalytics'] as const)('%s dialect: each hunt finds the event meeting its condition, and no event missing one clause', (dialect) => {
    for (const [id, kind, tool, filter] of hunts) {
      const { events, expected } = casesFor(filter, timeColumn(dialect));
      expect({ id, kind, found: run(tool, kind, dialect, events) }).toEqual({ id, kind, found: expected });
    }
  });

  test('one device: only its events are summarised, under the bare or the qualified name', () => {
    const tool = catalog.get('anydesk')!;
    const { events } = casesFor(tool.network!.filter, 'Timestamp');
    const hit = events[0]!;
    const more = [
      { ...hit, DeviceId: 'fqdn', DeviceName: 'WS-FIN-014.corp.example' },
      { ...hit, DeviceId: 'bare', DeviceName: 'ws-fin-014' },
      { ...hit, DeviceId: 'other', DeviceName: 'ws-fin-0140' },
    ];
    expect(run(tool, 'network', 'defender', [...events, ...more], 'ws-fin-014')).toEqual(['bare', 'fqdn']);
  });

  test('signedBy: a file counts when its signature was seen within the window, on any device', () => {
    const tool = catalog.get('dwservice')!;
    const event = (id: string, sha1: string): Event => ({ Timestamp: INSIDE, DeviceId: id, DeviceName: id, ReportId: 1, SHA1: sha1 });
    expect(run(tool, 'process', 'defender', [event('signed', SIGNED_SHA1), event('signed-before-window', UNSIGNED_SHA1)])).toEqual(['signed']);
  });
});
