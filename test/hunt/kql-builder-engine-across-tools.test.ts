/**
 * `hunt all` and `check <device>` on the local engine agree with the tools' own hunts: each
 * (tool, device) row of the all-tools hunt is the row that tool's hunt gives, a certificate that
 * matches the signers of two tools counts for both, and each (tool, evidence) row of the device
 * check is the row of that tool's hunt of that kind, limited to the device.
 */
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQuery, EVIDENCE_KINDS } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { DEFENDER_SCHEMAS, executeKql, Table, tablesFrom, type TableProvider } from '../../src/kql';

const catalog = loadCatalog();
const NOW = new Date('2024-06-10T12:00:00.000Z');
const WINDOW = parseWindow('5d')!;
const signatureTools = catalog.tools.filter((t) => t.fileSignature);

type Row = Record<string, unknown>;

function run(query: string, tables: TableProvider): Row[] {
  return executeKql(query, { tables, now: NOW }).rows.map((r) => ({ ...r }));
}

function key(row: Row): string {
  return JSON.stringify([row['Tool'], row['Evidence'] ?? null, row['DeviceId']]);
}

function withoutTags(row: Row): Row {
  const { Tool: _tool, Evidence: _evidence, ...rest } = row;
  return { ...rest, Report: [...(rest['Report'] as unknown[])].sort() };
}

function hasHunt(tool: RmmTool, kind: HuntKind): boolean {
  return Boolean(kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network);
}

/** Certificates: every signer of every tool on a device of its own, a signer shared by Datto and Kaseya, noise. */
function certificates(): TableProvider {
  let report = 0;
  const rows = signatureTools.flatMap((tool) =>
    tool.fileSignature!.signers.map((signer, i) => ({
      Timestamp: `2024-06-0${(i % 4) + 6}T08:00:00Z`,
      DeviceId: `${tool.id}-host`,
      DeviceName: `${tool.id}-host.corp.example`,
      Signer: `${signer} (code signing)`,
      SHA1: `sha-${tool.id}-${i}`,
      ReportId: ++report,
    })),
  );
  rows.push(
    { Timestamp: '2024-06-09T09:00:00Z', DeviceId: 'shared', DeviceName: 'ws-shared', Signer: 'Datto Inc, a Kaseya company', SHA1: 'sha-shared', ReportId: ++report },
    { Timestamp: '2024-06-09T10:00:00Z', DeviceId: 'shared', DeviceName: 'ws-shared', Signer: 'Kaseya Holdings', SHA1: 'sha-shared-2', ReportId: ++report },
    { Timestamp: '2024-06-09T10:00:00Z', DeviceId: 'noise', DeviceName: 'ws-noise', Signer: 'Microsoft Windows', SHA1: 'sha-noise', ReportId: ++report },
    { Timestamp: '2024-05-01T10:00:00Z', DeviceId: 'old', DeviceName: 'ws-old', Signer: 'Kaseya', SHA1: 'sha-old', ReportId: ++report },
  );
  return tablesFrom([
    Table.fromRecords('DeviceFileCertificateInfo', DEFENDER_SCHEMAS.DeviceFileCertificateInfo, rows),
    Table.fromRecords('DeviceProcessEvents', DEFENDER_SCHEMAS.DeviceProcessEvents, []),
    Table.fromRecords('DeviceNetworkEvents', DEFENDER_SCHEMAS.DeviceNetworkEvents, []),
  ]);
}

describe('the all-tools hunt on the engine', () => {
  const tables = certificates();
  let all: Row[];
  beforeAll(() => {
    all = run(buildAllToolsQuery({ tools: catalog.tools, window: WINDOW }, { dialect: 'defender' }), tables);
  });

  test("each tool's rows are its own hunt's rows", () => {
    for (const tool of signatureTools) {
      const own = run(buildHuntQuery({ tool, window: WINDOW }, { dialect: 'defender' }), tables).map((r) => withoutTags(r));
      const tagged = all.filter((r) => r['Tool'] === tool.id).map((r) => withoutTags(r));
      const byDevice = (a: Row, b: Row) => String(a['DeviceId']).localeCompare(String(b['DeviceId']));
      expect({ tool: tool.id, rows: tagged.sort(byDevice) }).toEqual({ tool: tool.id, rows: own.sort(byDevice) });
      expect({ tool: tool.id, found: own.length > 0 }).toEqual({ tool: tool.id, found: true });
    }
  });

  test('a certificate of two tools counts for both, and nothing else is found', () => {
    expect(all.filter((r) => r['DeviceId'] === 'shared').map((r) => [r['Tool'], r['Count']]).sort()).toEqual([
      ['datto', 1],
      ['kaseya', 2],
    ]);
    expect(all.filter((r) => ['noise', 'old'].includes(String(r['DeviceId'])))).toEqual([]);
    expect(Object.keys(all[0]!)).toEqual(['Tool', 'DeviceId', 'DeviceName', 'FirstSeen', 'LastSeen', 'Report', 'ReportCount', 'Count']);
  });

  test('one device: only its rows', () => {
    const rows = run(buildAllToolsQuery({ tools: catalog.tools, window: WINDOW, device: 'WS-SHARED' }, { dialect: 'defender' }), tables);
    expect(rows.map((r) => r['Tool']).sort()).toEqual(['datto', 'kaseya']);
  });
});

describe('the device check on the engine', () => {
  const at = (device: string, report: number) => ({ Timestamp: '2024-06-09T12:00:00Z', DeviceId: device, DeviceName: `${device}.corp.example`, ReportId: report });
  const tables = tablesFrom([
    Table.fromRecords('DeviceFileCertificateInfo', DEFENDER_SCHEMAS.DeviceFileCertificateInfo, [
      { ...at('target', 1), Signer: 'DWSNET OÜ', SHA1: 'sha-dws' },
      { ...at('target', 2), Signer: 'Datto Inc, a Kaseya company', SHA1: 'sha-datto' },
      { ...at('other', 3), Signer: 'AnyDesk Software GmbH', SHA1: 'sha-anydesk' },
    ]),
    Table.fromRecords('DeviceProcessEvents', DEFENDER_SCHEMAS.DeviceProcessEvents, [
      { ...at('target', 4), SHA1: 'sha-dws', FileName: 'dwagent.exe' },
      { ...at('target', 5), ProcessVersionInfoCompanyName: 'AnyDesk Software GmbH', ProcessVersionInfoProductName: 'AnyDesk' },
      { ...at('target', 6), ProcessVersionInfoCompanyName: 'AnyDesk Software GmbH', ProcessVersionInfoProductName: 'AnyDesk' },
      { ...at('other', 7), ProcessVersionInfoCompanyName: 'philandro Software GmbH', ProcessVersionInfoProductName: 'AnyDesk' },
    ]),
    Table.fromRecords('DeviceNetworkEvents', DEFENDER_SCHEMAS.DeviceNetworkEvents, [
      { ...at('target', 8), RemoteUrl: 'node1.dwservice.net', InitiatingProcessSHA1: 'sha-dws' },
      { ...at('target', 9), RemoteUrl: 'agents.addigy.com', InitiatingProcessFileName: 'go-agent' },
      { ...at('other', 10), RemoteUrl: 'anydesk.com', InitiatingProcessVersionInfoProductName: 'AnyDesk' },
    ]),
  ]);
  let check: Row[];
  beforeAll(() => {
    check = run(buildDeviceCheckQuery({ tools: catalog.tools, device: 'TARGET', window: WINDOW }, { dialect: 'defender' }), tables);
  });

  test('it finds each tool by each kind of evidence on the device, and nothing of the other device', () => {
    expect(check.map((r) => `${String(r['Tool'])}/${String(r['Evidence'])}/${String(r['DeviceId'])}/${String(r['Count'])}`).sort()).toEqual([
      'addigy/network/target/1',
      'anydesk/process/target/2',
      'datto/file-signature/target/1',
      'dwservice/file-signature/target/1',
      'dwservice/network/target/1',
      'dwservice/process/target/1',
      'kaseya/file-signature/target/1',
    ]);
    expect(Object.keys(check[0]!)).toEqual(['Tool', 'Evidence', 'DeviceId', 'DeviceName', 'FirstSeen', 'LastSeen', 'Report', 'ReportCount', 'Count']);
  });

  test("each (tool, evidence) row is that tool's own hunt of that kind for the device", () => {
    const expected = catalog.tools.flatMap((tool) =>
      EVIDENCE_KINDS.filter((kind) => hasHunt(tool, kind)).flatMap((kind) =>
        run(buildHuntQuery({ tool, window: WINDOW, kind, device: 'TARGET' }, { dialect: 'defender' }), tables).map((r) => ({ ...r, Tool: tool.id, Evidence: kind })),
      ),
    );
    const sorted = (rows: Row[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b))).map((r) => [key(r), withoutTags(r)]);
    expect(sorted(check)).toEqual(sorted(expected));
  });
});
