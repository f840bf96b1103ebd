/**
 * The embedded default as a newcomer meets it: the local backend over the shipped sample data,
 * the hunts the bot builds, and the devices `data/sample/README.md` promises — written out here by
 * hand, look-alikes excluded.
 */
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { loadCatalog } from '../../src/hunt/catalog';
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
