/**
 * The embedded default as a newcomer meets it: the local backend over the shipped sample data,
 * the hunts the bot builds, and the devices `data/sample/README.md` promises — written out here by
 * hand, look-alikes excluded; and the evidence Details shows for the two Kaseya stories.
 */
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { loadCatalog } from '../../src/hunt/catalog';
import { evidenceFromResults, type Evidence } from '../../src/hunt/evidence';
import { buildInstancesQuery, classifyInstances, instancesFromResult } from '../../src/hunt/evidence-instances';
import { buildEvidenceQueries } from '../../src/hunt/evidence-queries';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { buildAllToolsQueries } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQueries } from '../../src/hunt/hunt-queries-device-check';
import { runBatch } from '../../src/hunt/query-batch';
import { EXPECTED_5D_LOLRMM, PUTTY_WINSCP_DEVICE } from '../../scripts/data-lolrmm';

const catalog = loadCatalog();
const backend = createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('90d')! });

async function devices(toolId: string, kind: HuntKind = 'file-signature', window = '5d'): Promise<string[]> {
  const tool = catalog.get(toolId)!;
  const kql = buildHuntQuery({ tool, window: parseWindow(window)!, kind }, { dialect: 'defender', maxDevices: 500 });
  const result = await backend.run({ kql, window: parseWindow(window)! });
  return result.rows.map((r) => String(r.DeviceName).split('.')[0]!).sort();
}

describe('the sample data on the local engine', () => {
  test.each([
    ['kaseya', ['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014']],
    ['anydesk', ['it-adm-001', 'lt-sal-305', 'ws-fin-022']],
    ['teamviewer', ['it-adm-002', 'srv-mgmt-02', 'ws-hr-051']],
    ['connectwise', ['lt-eng-260', 'srv-mgmt-01', 'ws-fin-031']],
    ['atera', ['ws-mkt-012']],
    ['dwservice', ['lt-eng-271']],
    ['server-eye', ['srv-file-01']],
    ['action1', ['ws-leg-011']],
    ['splashtop', ['lt-mkt-214']],
    ['realvnc', []],
    ['ultraviewer', []],
  ])('hunt %s 5d', async (toolId, expected) => {
    expect(await devices(toolId)).toEqual(expected);
  });

  test('look-alike signers are not found', async () => {
    const all = new Set((await Promise.all(['kaseya', 'anydesk', 'teamviewer', 'connectwise', 'atera', 'splashtop', 'action1', 'dwservice', 'server-eye'].map((t) => devices(t)))).flat());
    for (const lookAlike of ['ws-mkt-031', 'ws-ops-044', 'lt-sal-118', 'ws-eng-140', 'ws-hr-009', 'ws-ops-077', 'ws-sal-066', 'ws-eng-118', 'ws-fin-045', 'lt-hr-233', 'ws-ops-090', 'ws-hr-064', 'ws-fin-058', 'ws-leg-015', 'ws-hr-077']) {
      expect(all.has(lookAlike)).toBe(false);
    }
  });

  test('sightings older than the window are outside it, and inside a longer one', async () => {
    expect(await devices('kaseya')).not.toContain('ws-eng-112');
    expect(await devices('kaseya', 'file-signature', '10d')).toContain('ws-eng-112');
  });

  test('process and network hunts', async () => {
    expect(await devices('anydesk', 'process')).toEqual(['lt-sal-305', 'ws-fin-022']);
    expect(await devices('anydesk', 'network')).toEqual(['lt-sal-305']);
    expect(await devices('kaseya', 'network')).toEqual(['srv-mgmt-01', 'ws-fin-014']);
    expect(await devices('ninjarmm', 'process')).toEqual(['srv-mgmt-03', 'ws-sal-023']);
  });
});

describe('the LOLRMM story of the sample data', () => {
  test.each(Object.entries(EXPECTED_5D_LOLRMM))('hunt %s, every kind: the devices only LOLRMM names the tool on', async (toolId, expected) => {
    const tool = catalog.get(toolId)!;
    expect(tool.sources!.every((s) => s.startsWith('lolrmm/'))).toBe(true);
    for (const kind of ['file-signature', 'process', 'network'] as const) {
      const has = kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network;
      expect({ kind, devices: has ? await devices(toolId, kind) : [] }).toEqual({ kind, devices: expected[kind] });
    }
  });

  test('the PuTTY and WinSCP device is listed by no hunt of any tool, nor by hunt all, nor by check', async () => {
    const window = parseWindow('30d')!;
    for (const tool of catalog.tools) {
      for (const kind of ['file-signature', 'process', 'network'] as const) {
        const has = kind === 'file-signature' ? tool.fileSignature : kind === 'process' ? tool.process : tool.network;
        if (!has) continue;
        const kql = buildHuntQuery({ tool, window, kind, device: PUTTY_WINSCP_DEVICE }, { dialect: 'defender' });
        expect({ tool: tool.id, kind, rows: (await backend.run({ kql, window })).rows.length }).toEqual({ tool: tool.id, kind, rows: 0 });
      }
    }
    const all = await runBatch(buildAllToolsQueries({ tools: catalog.tools, window }, { dialect: 'defender', maxDevices: 500 }), (kql) => backend.run({ kql, window }));
    expect(all.rows.length).toBeGreaterThan(0);
    expect(all.rows.filter((r) => String(r.DeviceName).startsWith(PUTTY_WINSCP_DEVICE))).toEqual([]);
    const check = await runBatch(buildDeviceCheckQueries({ tools: catalog.tools, window, device: PUTTY_WINSCP_DEVICE }, { dialect: 'defender' }), (kql) => backend.run({ kql, window }));
    expect(check.rows).toEqual([]);
    const seen = await runBatch(buildDeviceCheckQueries({ tools: catalog.tools, window, device: 'lt-fin-322' }, { dialect: 'defender' }), (kql) => backend.run({ kql, window }));
    expect(seen.rows.map((r) => `${r.Tool}/${r.Evidence}`).sort()).toEqual(['absolute/file-signature', 'absolute/network', 'absolute/process']);
  }, 120_000);
});

describe('Details on the sample data: the two Kaseya stories', () => {
  const kaseya = catalog.get('kaseya')!;
  const window = parseWindow('5d')!;
  const run = async (kql: string) => backend.run({ kql, window });
  let ids: Map<string, string>;
  beforeAll(async () => {
    const kql = buildHuntQuery({ tool: kaseya, window }, { dialect: 'defender' });
    ids = new Map((await run(kql)).rows.map((r) => [String(r.DeviceName).split('.')[0]!, String(r.DeviceId)]));
  });
  const evidence = async (host: string): Promise<Evidence> => {
    const queries = buildEvidenceQueries({ tool: kaseya, deviceId: ids.get(host)!, window }, { dialect: 'defender' });
    return evidenceFromResults({ files: await run(queries.files!), processes: await run(queries.processes!), network: await run(queries.network), device: await run(queries.device) });
  };

  test("ws-fin-014: an installer from the user's Downloads folder, an agent on this device alone, talking to an unknown tenant", async () => {
    const e = await evidence('ws-fin-014');
    expect(e.files?.rows.map((b) => [b.fileNames.values, b.deviceCount, b.originUrls.values])).toEqual([
      [['AgentMon.exe'], 1, []],
      [['KcsSetup.exe'], 1, ['https://rmm-7731.kaseya.net/mkDefault.asp?id=4471']],
    ]);
    expect(e.files?.rows[1]!.folderPaths.values[0]).toMatch(/^C:\\Users\\[a-z.]+\\Downloads\\KcsSetup\.exe$/);
    expect(e.processes?.rows.map((p) => [p.fileName, p.parent, p.account.startsWith('contoso\\')])).toEqual([
      ['AgentMon.exe', 'services.exe', false],
      ['KcsSetup.exe', 'explorer.exe', true],
    ]);
    expect(e.instances).toEqual([{ instance: 'rmm-7731.kaseya.net', deviceCount: 1, lastSeen: expect.any(Date) }]);
    expect(e.device).toMatchObject({ machineGroup: 'Contoso Workstations', exposureLevel: 'Medium', loggedOnUsers: { total: 1 } });
  });

  test("it-adm-003: Contoso's agent, the same binary on 19 devices, talking to Contoso's VSA like 19 others", async () => {
    const e = await evidence('it-adm-003');
    expect(e.files?.rows.map((b) => [b.folderPaths.values, b.deviceCount, b.signature?.signer])).toEqual([[['C:\\Program Files (x86)\\Kaseya\\CONTOSO0417\\AgentMon.exe'], 19, 'KASEYA HOLDINGS INC']]);
    expect(e.instances).toEqual([{ instance: 'vsa.contoso.com', deviceCount: 20, lastSeen: expect.any(Date) }]);
    expect(e.network.rows.map((c) => [c.remoteUrl, c.remotePort, c.process])).toEqual([['vsa.contoso.com', 5721, 'AgentMon.exe']]);
    expect(e.device).toMatchObject({ machineGroup: 'IT Admin Workstations', exposureLevel: 'Low' });
  });

  test("sanctioning Contoso's instances leaves ws-fin-014 the one Kaseya finding talking to a foreign one", async () => {
    const instances = instancesFromResult(await run(buildInstancesQuery({ tool: kaseya, window, deviceIds: [...ids.values()] }, { dialect: 'defender' })));
    const verdicts = Object.fromEntries([...ids].map(([host, id]) => [host, classifyInstances(instances.rows.find((d) => d.deviceId === id), ['vsa.contoso.com', 'managedsupport.kaseya.net']).kind]));
    expect(verdicts).toEqual({ 'it-adm-003': 'sanctioned', 'lt-hr-207': 'silent', 'srv-mgmt-01': 'sanctioned', 'ws-fin-014': 'foreign' });
  });
});
