/**
 * What the hunt builder emits runs on the engine: for every tool of the catalog with a
 * file-signature hunt (non-ASCII signers included), with and without a device, in both dialects.
 */
import type { Dialect } from '../../src/backends/backend';
import { loadCatalog } from '../../src/hunt/catalog';
import { buildHuntQuery } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { executeKql, Table, tablesFrom, type TableSchema } from '../../src/kql';
import { certificateTables } from '../support/kql-tables';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const catalog = loadCatalog();
const signatureTools = catalog.tools.filter((tool) => tool.fileSignature);

describe('hunt builder queries on the engine', () => {
  test('the catalog has file-signature hunts to try', () => {
    expect(signatureTools.length).toBeGreaterThan(40);
  });

  test.each(signatureTools.map((tool) => [tool.id, tool] as const))('%s: each signer is found, as its own term', (_id, tool) => {
    const signers = tool.fileSignature!.signers;
    const tables = certificateTables([
      ...signers.map((signer, i) => ({ DeviceId: `hit-${i}`, DeviceName: `ws-${i}`, Signer: `${signer} (code signing)`, Timestamp: '2024-06-09T00:00:00Z', ReportId: i })),
      ...signers.map((signer, i) => ({ DeviceId: `glued-${i}`, DeviceName: `ws-g${i}`, Signer: `X${signer}`, Timestamp: '2024-06-09T00:00:00Z', ReportId: i })),
    ]);
    const query = buildHuntQuery({ tool, window: parseWindow('5d')! }, { dialect: 'defender' });
    const found = executeKql(query, { tables, now: NOW }).rows.map((r) => r['DeviceId']);
    // "X<signer>" glues a letter to the signer's first term; a signer starting with a separator would still match
    const expectedGlued = signers.flatMap((signer, i) => (/^[A-Za-z0-9]/.test(signer) ? [] : [`glued-${i}`]));
    expect(found).toEqual([...signers.map((_s, i) => `hit-${i}`), ...expectedGlued]);
  });

  const timeSchema = (dialect: Dialect): TableSchema => [
    { name: dialect === 'loganalytics' ? 'TimeGenerated' : 'Timestamp', type: 'datetime' },
    { name: 'DeviceId', type: 'string' },
    { name: 'DeviceName', type: 'string' },
    { name: 'Signer', type: 'string' },
    { name: 'ReportId', type: 'long' },
  ];

  test.each<Dialect>(['defender', 'loganalytics'])('device filter, %s dialect: the bare name or the FQDN, any case', (dialect) => {
    const time = dialect === 'loganalytics' ? 'TimeGenerated' : 'Timestamp';
    const table = Table.fromRecords(
      'DeviceFileCertificateInfo',
      timeSchema(dialect),
      [
        ['d1', 'WS-FIN-014'],
        ['d2', 'ws-fin-014.corp.example'],
        ['d3', 'ws-fin-0140'],
        ['d4', 'ws-fin-014-old.corp.example'],
        ['d5', 'corp.ws-fin-014'],
      ].map(([id, name], i) => ({ [time]: '2024-06-10T00:00:00Z', DeviceId: id, DeviceName: name, Signer: 'Kaseya Holdings Inc.', ReportId: i })),
    );
    const kaseya = catalog.get('kaseya')!;
    const query = buildHuntQuery({ tool: kaseya, window: parseWindow('1d')!, device: 'ws-fin-014' }, { dialect });
    const found = executeKql(query, { tables: tablesFrom([table]), now: NOW }).rows.map((r) => r['DeviceId']);
    expect(found).toEqual(['d1', 'd2']);
  });
});
