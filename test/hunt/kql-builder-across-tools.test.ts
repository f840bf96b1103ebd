/**
 * The queries over many tools at once: `hunt all` (every file-signature hunt) and `check <device>`
 * (every hunt of every kind on one device). Each tool's part must be that tool's own hunt, so
 * that a row is attributed to every tool whose hunt matches it, and to no other.
 */
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQuery, EVIDENCE_KINDS } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, KqlLiteralError, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';

const catalog = loadCatalog();
const FIVE_DAYS = parseWindow('5d')!;
const HOSTILE = "ws'); DeviceEvents | take 1 //\\";
const HOSTILE_LITERAL = "'ws\\'); DeviceEvents | take 1 //\\\\'";

/** The condition of a tool's own hunt of a kind, on one line. */
function ownCondition(tool: RmmTool, kind: HuntKind): string {
  const kql = buildHuntQuery({ tool, window: FIVE_DAYS, kind }, { dialect: 'defender' });
  const match = /\| where Timestamp between \(Time_start\.\.Time_end\)\n\| where ([\s\S]*)\n\| summarize/.exec(kql);
  return match![1]!.replace(/\n {4}and /g, ' and ');
}

function hasHunt(tool: RmmTool, kind: HuntKind): boolean {
  return Boolean(kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network);
}

describe('buildAllToolsQuery', () => {
  const kaseya = catalog.get('kaseya')!;
  const datto = catalog.get('datto')!;

  test('golden text: the signed certificates read once, then each tool tags its own', () => {
    expect(buildAllToolsQuery({ tools: [datto, kaseya, catalog.get('addigy')!], window: FIVE_DAYS }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        'let rmmSigned = materialize(DeviceFileCertificateInfo',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where Signer has_any ('Datto Inc', 'Kaseya')",
        '    );',
        'union',
        "    (rmmSigned | where Signer has 'Datto Inc' | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'datto'),",
        "    (rmmSigned | where Signer has 'Kaseya' | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'kaseya')",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by Tool, DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test("over the catalog, every tool with a file-signature hunt has exactly its own hunt's condition, tagged with its id", () => {
    const kql = buildAllToolsQuery({ tools: catalog.tools, window: FIVE_DAYS }, { dialect: 'defender' });
    const legs = [...kql.matchAll(/^ {4}\(rmmSigned \| where (.*) \| project Timestamp, DeviceId, DeviceName, ReportId, Tool = '([^']+)'\),?$/gm)].map((m) => ({
      tool: m[2]!,
      condition: m[1]!,
    }));
    const tools = catalog.tools.filter((t) => t.fileSignature);
    expect(tools).toHaveLength(79);
    expect(legs).toEqual(tools.map((tool) => ({ tool: tool.id, condition: ownCondition(tool, 'file-signature') })));
  });

  test('the certificates read once are those of every signer of every tool, each once', () => {
    const kql = buildAllToolsQuery({ tools: catalog.tools, window: FIVE_DAYS }, { dialect: 'defender' });
    const prefilter = /^ {4}\| where Signer has_any \((.*)\)$/m.exec(kql)![1]!;
    const signers = catalog.tools.flatMap((t) => t.fileSignature?.signers ?? []);
    expect(prefilter).toBe(signers.map((s) => `'${s}'`).join(', '));
    expect(new Set(signers).size).toBe(signers.length);
  });

  test('one device: the filter limits the certificates read, with the name escaped', () => {
    const kql = buildAllToolsQuery({ tools: [kaseya], window: FIVE_DAYS, device: HOSTILE }, { dialect: 'defender' });
    expect(kql).toContain(`    | where DeviceName =~ ${HOSTILE_LITERAL} or DeviceName startswith ${HOSTILE_LITERAL.replace(/'$/, ".'")}\n    );\nunion\n`);
  });

  test('Log Analytics dialect: TimeGenerated everywhere', () => {
    const kql = buildAllToolsQuery({ tools: catalog.tools, window: parseWindow('12h')! }, { dialect: 'loganalytics' });
    expect(kql).toContain('let Time_start = now(-12h);');
    expect(kql).toContain('    | where TimeGenerated between (Time_start..Time_end)');
    expect(kql).toContain("| project TimeGenerated, DeviceId, DeviceName, ReportId, Tool = 'kaseya')");
    expect(kql).toContain('FirstSeen=min(TimeGenerated), LastSeen=max(TimeGenerated)');
    expect(kql).not.toContain('Timestamp');
  });

  test('refuses a catalog without file-signature hunts, a bad window and a blank device', () => {
    expect(() => buildAllToolsQuery({ tools: [catalog.get('addigy')!], window: FIVE_DAYS }, { dialect: 'defender' })).toThrow('no tool has a file-signature hunt');
    expect(() => buildAllToolsQuery({ tools: catalog.tools, window: { ms: 1 } }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildAllToolsQuery({ tools: catalog.tools, window: FIVE_DAYS, device: '' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
  });
});

describe('buildDeviceCheckQuery', () => {
  test('golden text: the device\'s events of each table read once, then each hunt tags its own', () => {
    const tools = [catalog.get('dwservice')!, catalog.get('addigy')!];
    expect(buildDeviceCheckQuery({ tools, window: parseWindow('24h')!, device: 'WS-FIN-014' }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-1d);',
        'let Time_end = now();',
        'let rmmInitialFileSet = DeviceFileCertificateInfo',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where Signer has 'DWSNET OÜ'",
        '    | distinct SHA1;',
        'let rmmCertificates = materialize(DeviceFileCertificateInfo',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where DeviceName =~ 'WS-FIN-014' or DeviceName startswith 'WS-FIN-014.');",
        'let rmmProcesses = materialize(DeviceProcessEvents',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where DeviceName =~ 'WS-FIN-014' or DeviceName startswith 'WS-FIN-014.');",
        'let rmmConnections = materialize(DeviceNetworkEvents',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where DeviceName =~ 'WS-FIN-014' or DeviceName startswith 'WS-FIN-014.');",
        'union',
        "    (rmmCertificates | where Signer has 'DWSNET OÜ' | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'dwservice', Evidence = 'file-signature'),",
        "    (rmmProcesses | where SHA1 in (rmmInitialFileSet) | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'dwservice', Evidence = 'process'),",
        "    (rmmConnections | where RemoteUrl has 'dwservice.net' and InitiatingProcessSHA1 in (rmmInitialFileSet) | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'dwservice', Evidence = 'network'),",
        "    (rmmConnections | where RemoteUrl has_any ('prod.addigy.com', 'grtmprod.addigy.com', 'agents.addigy.com') and InitiatingProcessFileName has_any ('go-agent', 'auditor', 'collector', 'xpcproxy', 'lan-cache', 'mdmclient', 'launchd') and isempty(InitiatingProcessVersionInfoCompanyName) | project Timestamp, DeviceId, DeviceName, ReportId, Tool = 'addigy', Evidence = 'network')",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by Tool, Evidence, DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test("over the catalog, every hunt of every tool has exactly its own condition, tagged with the tool and the evidence", () => {
    const kql = buildDeviceCheckQuery({ tools: catalog.tools, window: FIVE_DAYS, device: 'ws-1' }, { dialect: 'defender' });
    const table: Record<string, HuntKind> = { rmmCertificates: 'file-signature', rmmProcesses: 'process', rmmConnections: 'network' };
    const legs = [
      ...kql.matchAll(/^ {4}\((rmm\w+) \| where (.*) \| project Timestamp, DeviceId, DeviceName, ReportId, Tool = '([^']+)', Evidence = '([^']+)'\),?$/gm),
    ].map((m) => ({ tool: m[3]!, evidence: m[4]!, table: table[m[1]!], condition: m[2]! }));
    const expected = catalog.tools.flatMap((tool) =>
      EVIDENCE_KINDS.filter((kind) => hasHunt(tool, kind)).map((kind) => ({ tool: tool.id, evidence: kind, table: kind, condition: ownCondition(tool, kind) })),
    );
    expect(expected).toHaveLength(437);
    expect(legs).toEqual(expected);
  });

  test('the device limits the events read, not the signed files; its name is escaped', () => {
    const kql = buildDeviceCheckQuery({ tools: [catalog.get('dwservice')!], window: FIVE_DAYS, device: HOSTILE }, { dialect: 'defender' });
    const filter = `    | where DeviceName =~ ${HOSTILE_LITERAL} or DeviceName startswith ${HOSTILE_LITERAL.replace(/'$/, ".'")});`;
    expect(kql.split('\n').filter((line) => line === filter)).toHaveLength(3);
    expect(kql.split(HOSTILE_LITERAL)).toHaveLength(4);
    const fileSet = /let rmmInitialFileSet = [^;]*;/.exec(kql)![0];
    expect(fileSet).not.toContain('DeviceName');
  });

  test('Log Analytics dialect: TimeGenerated everywhere', () => {
    const kql = buildDeviceCheckQuery({ tools: catalog.tools, window: FIVE_DAYS, device: 'ws-1' }, { dialect: 'loganalytics' });
    expect(kql.match(/ \| where TimeGenerated between \(Time_start\.\.Time_end\)$/gm)).toHaveLength(4);
    expect(kql).toContain('by Tool, Evidence, DeviceId, DeviceName');
    expect(kql).not.toContain('Timestamp');
  });

  test('refuses a blank device, a bad window and a catalog without hunts', () => {
    expect(() => buildDeviceCheckQuery({ tools: catalog.tools, window: FIVE_DAYS, device: '  ' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildDeviceCheckQuery({ tools: catalog.tools, window: { ms: -60_000 }, device: 'ws' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildDeviceCheckQuery({ tools: [{ id: 'x', name: 'X', aliases: [] }], window: FIVE_DAYS, device: 'ws' }, { dialect: 'defender' })).toThrow('no tool has a hunt');
  });
});
