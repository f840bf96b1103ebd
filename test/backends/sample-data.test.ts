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
