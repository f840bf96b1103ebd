/**
 * The evidence queries: every one Kusto's analyser accepts, for every catalog tool, in both
 * dialects, with the result columns documented (and the engine computes the same columns); on
 * hand-made tables (`test/support/evidence-tables.ts`) each returns the rows worked out by hand
 * below, in both dialects; bounds hold; telemetry and device ids stay data.
 */
import type { Dialect } from '../../src/backends/backend';
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildInstancesQuery } from '../../src/hunt/evidence-instances';
import { buildDeviceContextQuery, buildEvidenceQueries, buildFileEvidenceQuery, buildNetworkEvidenceQuery, buildProcessEvidenceQuery, TOOL_FILES, toolConnections, toolIdentity } from '../../src/hunt/evidence-queries';
import { KqlLiteralError } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { executeKql, type TableProvider } from '../../src/kql';
import { DOWNLOAD_URL, EVIDENCE_NOW, evidenceTables, HOSTILE_COMMAND_LINE, logAnalyticsSchemas } from '../support/evidence-tables';
import { KustoReferee } from '../support/kql-language-service';

jest.setTimeout(120_000);

const catalog = loadCatalog();
const kaseya = catalog.get('kaseya')!;
const WINDOW = parseWindow('5d')!;
const DIALECTS: readonly Dialect[] = ['defender', 'loganalytics'];
const HOSTILE_ID = "D1' or DeviceId != '' | take 10 //\\\"";
const AGENT_PATH = 'C:\\Program Files (x86)\\Kaseya\\KSA7291033\\AgentMon.exe';
const SETUP_PATH = 'C:\\Users\\anna\\Downloads\\KcsSetup.exe';

/** The result columns each query promises. */
const COLUMNS = {
  files: 'SHA1:string FirstSeen:datetime LastSeen:datetime Count:long FileNames:dynamic FileNameCount:long FolderPaths:dynamic FolderPathCount:long OriginUrls:dynamic OriginUrlCount:long Signer:string Issuer:string IsSigned:bool IsTrusted:bool CertificateExpirationTime:datetime DeviceCount:long Total:long',
  processes: 'FileName:string FolderPath:string SHA1:string AccountDomain:string AccountName:string InitiatingProcessFileName:string FirstSeen:datetime LastSeen:datetime Count:long CommandLines:dynamic CommandLineCount:long Total:long',
  network: 'RemoteUrl:string RemotePort:int InitiatingProcessFileName:string InitiatingProcessSHA1:string FirstSeen:datetime LastSeen:datetime Count:long RemoteIPs:dynamic RemoteIPCount:long DeviceCount:long Total:long',
  device: 'LastSeen:datetime DeviceId:string DeviceName:string OSPlatform:string OSVersion:string DeviceType:string MachineGroup:string ExposureLevel:string PublicIP:string LoggedOnUsers:string OnboardingStatus:string',
  instances: 'DeviceId:string FirstSeen:datetime LastSeen:datetime Count:long Remotes:dynamic RemoteCount:long Total:long',
} as const;

function run(query: string, tables: TableProvider): Array<Record<string, unknown>> {
  return executeKql(query, { tables, now: EVIDENCE_NOW }).rows.map((row) => ({ ...row }));
}

describe("Kusto's analyser accepts every evidence query, with the documented columns", () => {
  let referees: Record<Dialect, KustoReferee>;
  beforeAll(() => {
    referees = { defender: new KustoReferee(), loganalytics: new KustoReferee(logAnalyticsSchemas()) };
  }, 60_000);

  test('the referees are strict: the Defender query fails in Log Analytics', () => {
    const query = buildNetworkEvidenceQuery({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' });
    expect(referees.defender.errors(query)).toEqual([]);
    expect(referees.loganalytics.errors(query).map((e) => e.message).join('\n')).toMatch(/'Timestamp'/);
  });

  /**
   * Problems of `queries` by Kusto's analysis (errors, or columns other than documented) and by
   * the engine's (columns other than documented).
   */
  function problemsOf(dialect: Dialect, tool: RmmTool, queries: Readonly<Record<string, string | undefined>>): unknown[] {
    const empty = evidenceTables(dialect, {});
    const problems: unknown[] = [];
    for (const [name, query] of Object.entries(queries)) {
      if (query === undefined) continue;
      const { errors, columns } = referees[dialect].analyse(query);
      const engine = executeKql(query, { tables: empty, now: EVIDENCE_NOW }).columns.map((c) => `${c.name}:${c.type}`);
      const expected = COLUMNS[name as keyof typeof COLUMNS].split(' ');
      if (errors.length > 0 || columns.join(' ') !== expected.join(' ') || engine.join(' ') !== expected.join(' ')) problems.push({ tool: tool.id, name, errors, columns, engine });
    }
    return problems;
  }

  /**
   * One tool of each shape of identity: signers only, a process hunt testing signatures
   * (`signedBy`), a process hunt without signers, a network hunt requiring an empty company, the
   * network hunt alone. Every other tool's queries differ from these only in the catalog's
   * strings (the `rmmToolFiles` let and the network hunt's condition), which the all-tools test
   * below covers through the instances query, which holds both.
   */
  const shapes = {
    'signers only': catalog.tools.find((t) => t.fileSignature && !t.process),
    'signed-by process hunt': catalog.tools.find((t) => t.process?.filter.some((c) => c.some((p) => p.op === 'signedBy'))),
    'process hunt, no signer': catalog.tools.find((t) => !t.fileSignature && t.process),
    'empty company': catalog.tools.find((t) => t.network?.requiresEmptyCompany),
    'network only': catalog.tools.find((t) => !t.fileSignature && !t.process),
  };

  test.each(DIALECTS)('every query of a tool of each shape, %s dialect, a hostile device id', (dialect) => {
    const problems = Object.entries(shapes).flatMap(([shape, tool]) => {
      if (!tool) return [{ shape, missing: true }];
      return problemsOf(dialect, tool, {
        ...buildEvidenceQueries({ tool, deviceId: HOSTILE_ID, window: WINDOW }, { dialect }),
        instances: buildInstancesQuery({ tool, window: WINDOW, deviceIds: [HOSTILE_ID, 'D2'] }, { dialect }),
      });
    });
    expect(problems).toEqual([]);
  });

  test.each(DIALECTS)('the instances query of every catalog tool, %s dialect', (dialect) => {
    const problems = catalog.tools.flatMap((tool) => problemsOf(dialect, tool, { instances: buildInstancesQuery({ tool, window: WINDOW }, { dialect }) }));
    expect(problems).toEqual([]);
    // every tool with a signer or a process hunt has binaries: all but the network-only ones
    const withFiles = catalog.tools.filter((tool) => buildFileEvidenceQuery({ tool, deviceId: 'D1', window: WINDOW }, { dialect }) !== undefined);
    expect(withFiles).toEqual(catalog.tools.filter((tool) => tool.fileSignature || tool.process));
  });
});

describe('the evidence of Kaseya on D1, worked out by hand', () => {
  const spec = { tool: kaseya, deviceId: 'D1', window: WINDOW };

  test.each(DIALECTS)('binaries: names and paths from every table, the latest certificate, prevalence (%s)', (dialect) => {
    const signature = { Signer: 'Kaseya Holdings Inc.', Issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1', IsSigned: true, CertificateExpirationTime: '2026-06-14T23:59:59.000Z' };
    expect(run(buildFileEvidenceQuery(spec, { dialect })!, evidenceTables(dialect))).toEqual([
      // c1 c2 p1 p2 f2 n1 n2 n7; certificate of c2 (the later); on D1 (c1), D2 (c3), D4 (p5)
      {
        SHA1: 'agent1',
        FirstSeen: '2024-06-08T12:05:00.000Z',
        LastSeen: '2024-06-10T09:10:00.000Z',
        Count: 8,
        FileNames: ['AgentMon.exe'],
        FileNameCount: 1,
        FolderPaths: [AGENT_PATH],
        FolderPathCount: 1,
        OriginUrls: [],
        OriginUrlCount: 0,
        ...signature,
        IsTrusted: false,
        DeviceCount: 3,
        Total: 2,
      },
      // c4 p3 f1; on D1 and D5 (f3)
      {
        SHA1: 'setup1',
        FirstSeen: '2024-06-08T12:00:00.000Z',
        LastSeen: '2024-06-08T12:01:00.000Z',
        Count: 3,
        FileNames: ['KcsSetup.exe'],
        FileNameCount: 1,
        FolderPaths: [SETUP_PATH],
        FolderPathCount: 1,
        OriginUrls: [DOWNLOAD_URL],
        OriginUrlCount: 1,
        ...signature,
        IsTrusted: true,
        DeviceCount: 2,
        Total: 2,
      },
    ]);
  });

  test.each(DIALECTS)('processes: the binaries started, by image, account and parent; the attacker’s command line as text (%s)', (dialect) => {
    expect(run(buildProcessEvidenceQuery(spec, { dialect })!, evidenceTables(dialect))).toEqual([
      {
        FileName: 'AgentMon.exe',
        FolderPath: AGENT_PATH,
        SHA1: 'agent1',
        AccountDomain: 'nt authority',
        AccountName: 'system',
        InitiatingProcessFileName: 'services.exe',
        FirstSeen: '2024-06-09T10:05:00.000Z',
        LastSeen: '2024-06-10T09:05:00.000Z',
        Count: 2,
        CommandLines: [`"${AGENT_PATH}" --service`],
        CommandLineCount: 1,
        Total: 2,
      },
      {
        FileName: 'KcsSetup.exe',
        FolderPath: SETUP_PATH,
        SHA1: 'setup1',
        AccountDomain: 'contoso',
        AccountName: 'anna',
        InitiatingProcessFileName: 'explorer.exe',
        FirstSeen: '2024-06-08T12:01:00.000Z',
        LastSeen: '2024-06-08T12:01:00.000Z',
        Count: 1,
        CommandLines: [HOSTILE_COMMAND_LINE],
        CommandLineCount: 1,
        Total: 2,
      },
    ]);
  });

  test.each(DIALECTS)('connections: by the binaries or matched by the network hunt, not the browser; URL prevalence (%s)', (dialect) => {
    const agent = { InitiatingProcessFileName: 'AgentMon.exe', InitiatingProcessSHA1: 'agent1', RemotePort: 5721 };
    expect(run(buildNetworkEvidenceQuery(spec, { dialect }), evidenceTables(dialect))).toEqual([
      // n1 n2; the URL also on D6 (n6)
      { RemoteUrl: 'rmm-7731.kaseya.net', ...agent, FirstSeen: '2024-06-09T10:10:00.000Z', LastSeen: '2024-06-10T09:10:00.000Z', Count: 2, RemoteIPs: ['198.51.100.77', '198.51.100.78'], RemoteIPCount: 2, DeviceCount: 2, Total: 3 },
      // n7: no URL, no prevalence
      { RemoteUrl: '', ...agent, FirstSeen: '2024-06-10T08:00:00.000Z', LastSeen: '2024-06-10T08:00:00.000Z', Count: 1, RemoteIPs: ['203.0.113.5'], RemoteIPCount: 1, DeviceCount: null, Total: 3 },
      // n4: an unknown binary the network hunt matches
      {
        RemoteUrl: 'managedsupport.kaseya.net',
        RemotePort: 443,
        InitiatingProcessFileName: 'ksvc.exe',
        InitiatingProcessSHA1: 'unknown1',
        FirstSeen: '2024-06-09T12:00:00.000Z',
        LastSeen: '2024-06-09T12:00:00.000Z',
        Count: 1,
        RemoteIPs: ['192.0.2.20'],
        RemoteIPCount: 1,
        DeviceCount: 1,
        Total: 3,
      },
    ]);
  });

  test.each(DIALECTS)('device context: the latest full report (i2), not the partial heartbeat (i3) nor the older one (i1) (%s)', (dialect) => {
    expect(run(buildDeviceContextQuery(spec, { dialect }), evidenceTables(dialect))).toEqual([
      {
        LastSeen: '2024-06-10T11:00:00.000Z',
        DeviceId: 'D1',
        DeviceName: 'ws-1.corp.example',
        OSPlatform: 'Windows11',
        OSVersion: '10.0',
        DeviceType: 'Workstation',
        MachineGroup: 'Contoso Workstations',
        ExposureLevel: 'Medium',
        PublicIP: '203.0.113.10',
        LoggedOnUsers: '[{"UserName":"anna","DomainName":"CONTOSO","Sid":"S-1-5-21-1"}]',
        OnboardingStatus: 'Onboarded',
      },
    ]);
  });

  test.each(DIALECTS)('instances: per device, the remote ends of the tool’s agent, lower case, bare addresses too (%s)', (dialect) => {
    const all = buildInstancesQuery({ tool: kaseya, window: WINDOW }, { dialect });
    expect(run(all, evidenceTables(dialect))).toEqual([
      // n1 n2 n4 n7
      { DeviceId: 'D1', FirstSeen: '2024-06-09T10:10:00.000Z', LastSeen: '2024-06-10T09:10:00.000Z', Count: 4, Remotes: ['rmm-7731.kaseya.net', 'managedsupport.kaseya.net', '203.0.113.5'], RemoteCount: 3, Total: 2 },
      // n5
      { DeviceId: 'D2', FirstSeen: '2024-06-09T08:00:00.000Z', LastSeen: '2024-06-09T08:00:00.000Z', Count: 1, Remotes: ['vsa.contoso.com'], RemoteCount: 1, Total: 2 },
    ]);
    const some = buildInstancesQuery({ tool: kaseya, window: WINDOW, deviceIds: ['D2', HOSTILE_ID] }, { dialect, remotes: 1 });
    expect(run(some, evidenceTables(dialect)).map((r) => r.DeviceId)).toEqual(['D2']);
  });

  test('a tool without signers or a process hunt has network evidence only, by its network hunt', () => {
    const tmate = catalog.get('tmate')!;
    expect([tmate.fileSignature, tmate.process]).toEqual([undefined, undefined]);
    const queries = buildEvidenceQueries({ tool: tmate, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' });
    expect(Object.keys(queries).sort()).toEqual(['device', 'network']);
    const tables = evidenceTables('defender', {
      DeviceNetworkEvents: {
        a1: { Timestamp: '2024-06-10T10:00:00Z', DeviceId: 'D1', RemoteUrl: 'ssh.tmate.io', RemotePort: 22, InitiatingProcessFileName: 'tmate', InitiatingProcessSHA1: 'tmate1' },
        a2: { Timestamp: '2024-06-10T10:00:00Z', DeviceId: 'D1', RemoteUrl: 'tmatex.io', RemotePort: 443, InitiatingProcessFileName: 'chrome.exe', InitiatingProcessSHA1: 'chrome1' },
      },
    });
    expect(run(queries.network, tables).map((r) => [r.RemoteUrl, r.DeviceCount, r.Total])).toEqual([['ssh.tmate.io', 1, 1]]);
  });

  test('a tool without a network hunt has its connections told by its binaries alone', () => {
    const aspia = catalog.get('aspia')!;
    expect(aspia.network).toBeUndefined();
    const identity = toolIdentity(aspia, 'defender');
    expect(identity.hasFiles).toBe(true);
    expect(toolConnections(identity)).toBe(`InitiatingProcessSHA1 in (${TOOL_FILES})`);
  });
});

describe('bounds', () => {
  const signed = { Signer: 'Kaseya Holdings Inc.', Issuer: 'DigiCert', IsSigned: true, IsTrusted: true };
  const minute = (m: number, base = '2024-06-09T00:00:00Z'): string => new Date(Date.parse(base) + m * 60_000).toISOString();
  const certificates = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i}`, { Timestamp: minute(i), DeviceId: 'D1', SHA1: `b${i}`, ...signed }]));
  const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, { Timestamp: minute(i, '2024-06-10T10:00:00Z'), DeviceId: 'D1', SHA1: 'b0', FileName: 'AgentMon.exe', FolderPath: `C:\\copy${i}\\AgentMon.exe` }]));
  const tables = evidenceTables('defender', { DeviceFileCertificateInfo: certificates, DeviceFileEvents: files });

  test('rows: the 10 most recently seen of 12 binaries, with the total; sets: 5 of 7 paths, with the count', () => {
    const rows = run(buildFileEvidenceQuery({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender', rows: 10, values: 5 })!, tables);
    // b0 was last seen in its file events; then the certificates from the latest (b11) down to b3
    expect(rows.map((r) => r.SHA1)).toEqual(['b0', 'b11', 'b10', 'b9', 'b8', 'b7', 'b6', 'b5', 'b4', 'b3']);
    expect(rows.every((r) => r.Total === 12)).toBe(true);
    expect(rows[0]).toMatchObject({ FolderPaths: [0, 1, 2, 3, 4].map((i) => `C:\\copy${i}\\AgentMon.exe`), FolderPathCount: 7, Count: 8 });
  });

  test.each([0, -1, 1.5, 1001, Number.NaN])('a bound of %p is refused', (bound) => {
    const spec = { tool: kaseya, deviceId: 'D1', window: WINDOW };
    expect(() => buildNetworkEvidenceQuery(spec, { dialect: 'defender', rows: bound })).toThrow(KqlLiteralError);
    expect(() => buildProcessEvidenceQuery(spec, { dialect: 'defender', values: bound })).toThrow(KqlLiteralError);
  });

  test('an empty device id, or too many or no device ids, are refused', () => {
    expect(() => buildDeviceContextQuery({ deviceId: ' ', window: WINDOW }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildInstancesQuery({ tool: kaseya, window: WINDOW, deviceIds: [] }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildInstancesQuery({ tool: kaseya, window: WINDOW, deviceIds: Array.from({ length: 1001 }, (_, i) => `d${i}`) }, { dialect: 'defender' })).toThrow(KqlLiteralError);
  });
});

describe('device ids and telemetry stay data', () => {
  test('a device id made of KQL is one string literal: it finds the device that has that id, and nothing else', () => {
    const tables = evidenceTables('defender', {
      DeviceInfo: {
        h: { Timestamp: '2024-06-10T11:00:00Z', DeviceId: HOSTILE_ID, DeviceName: 'hostile', OSPlatform: 'Windows11' },
        d: { Timestamp: '2024-06-10T11:00:00Z', DeviceId: 'D1', DeviceName: 'ws-1', OSPlatform: 'Windows11' },
      },
    });
    expect(run(buildDeviceContextQuery({ deviceId: HOSTILE_ID, window: WINDOW }, { dialect: 'defender' }), tables).map((r) => r.DeviceName)).toEqual(['hostile']);
    expect(run(buildDeviceContextQuery({ deviceId: "D1' or '1'=='1", window: WINDOW }, { dialect: 'defender' }), tables)).toEqual([]);
  });

  test('the queries do not depend on the data: only the catalog, the device id and the window enter them', () => {
    const a = buildEvidenceQueries({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' });
    expect(JSON.stringify(a)).not.toContain('KcsSetup');
    expect(a).toEqual(buildEvidenceQueries({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' }));
  });
});
