/**
 * Which instance each device's agent of a sanctioned tool talks to, judged from the instances query
 * (built by the one builder) run on the local KQL engine over hand-made evidence tables, in both
 * dialects: only sanctioned instances (or names under them) or no connection → sanctioned; any
 * other public host → unsanctioned instance, with the hosts; private addresses are not evidence; a
 * set of remote ends that was cut cannot prove a device sanctioned.
 */
import type { Backend, Dialect } from '../../src/backends/backend';
import { instanceStatuses, markKey, sanctionMarks } from '../../src/core/sanction-marks';
import { loadCatalog } from '../../src/hunt/catalog';
import { executeKql } from '../../src/kql';
import type { Sanction } from '../../src/store/store';
import { EVIDENCE_EVENTS, EVIDENCE_NOW, evidenceTables } from '../support/evidence-tables';

const catalog = loadCatalog();
const kaseya = catalog.find('kaseya')!;
const WINDOW = { ms: 5 * 86_400_000 };
const AGENT = { InitiatingProcessFileName: 'AgentMon.exe', InitiatingProcessSHA1: 'agent1', InitiatingProcessVersionInfoCompanyName: 'Kaseya' };

/** The hand-made tables plus: D2 reaching a private address without a URL, D7 with more remote ends than the query keeps. */
const EVENTS = {
  ...EVIDENCE_EVENTS,
  DeviceNetworkEvents: {
    ...EVIDENCE_EVENTS.DeviceNetworkEvents,
    n8: { Timestamp: '2024-06-09T08:30:00Z', DeviceId: 'D2', RemoteUrl: '', RemotePort: 5721, RemoteIP: '10.10.0.22', ...AGENT },
    ...Object.fromEntries(
      Array.from({ length: 25 }, (_, i) => [`d7-${i}`, { Timestamp: '2024-06-09T08:30:00Z', DeviceId: 'D7', RemoteUrl: `relay-${i}.vsa.contoso.com`, RemotePort: 443, RemoteIP: '192.0.2.99', ...AGENT }]),
    ),
  },
};

/** A backend that runs queries on the local engine over {@link EVENTS}, recording them. */
function engineBackend(dialect: Dialect): Backend & { readonly queries: string[] } {
  const tables = evidenceTables(dialect, EVENTS);
  const queries: string[] = [];
  return {
    kind: 'test',
    source: 'evidence tables',
    dialect,
    maxWindow: { ms: 30 * 86_400_000 },
    queries,
    run: async ({ kql }) => {
      queries.push(kql);
      return executeKql(kql, { tables, now: EVIDENCE_NOW });
    },
  };
}

const sanction = (instances: string[]): Sanction => ({ tenant: 't', toolId: 'kaseya', instances, reason: 'ours', by: { aadObjectId: 'a', name: 'Ada' }, at: EVIDENCE_NOW });

describe.each<Dialect>(['defender', 'loganalytics'])('instanceStatuses (%s)', (dialect) => {
  test('sanctioned instances, a foreign one, no connection, private addresses and a cut set', async () => {
    const backend = engineBackend(dialect);
    const statuses = await instanceStatuses({
      tool: kaseya,
      sanction: sanction(['vsa.contoso.com', 'managedsupport.kaseya.net']),
      deviceIds: ['D1', 'D2', 'D3', 'D7', 'D9', 'D1'],
      window: WINDOW,
      backend,
    });
    expect(Object.fromEntries(statuses)).toEqual({
      // The agent talks to Contoso's instances and to an unknown tenant, by name and by a public address.
      D1: { status: 'unsanctioned-instance', instances: ['203.0.113.5', 'rmm-7731.kaseya.net'] },
      // VSA.Contoso.com (any case), and a private address, which says nothing about whose server it is.
      D2: { status: 'sanctioned' },
      // Binaries, but no connection in the window.
      D3: { status: 'sanctioned' },
      // 25 names under vsa.contoso.com, 20 kept: the rest cannot be proven sanctioned.
      D7: { status: 'not-sanctioned' },
      D9: { status: 'sanctioned' },
    });
    expect(backend.queries).toHaveLength(1);
    expect(backend.queries[0]).toContain(dialect === 'defender' ? 'Timestamp' : 'TimeGenerated');
    expect(backend.queries[0]).toContain("DeviceId in ('D1', 'D2', 'D3', 'D7', 'D9')");
  });
});

describe('sanctionMarks', () => {
  test('marks every device of a tool sanctioned without instances, judges those of one with, and leaves other tools alone', async () => {
    const backend = engineBackend('defender');
    const anydesk = { ...sanction([]), toolId: 'anydesk' };
    const { marks, failures } = await sanctionMarks({
      devices: [
        { toolId: 'kaseya', deviceId: 'D1' },
        { toolId: 'kaseya', deviceId: 'D2' },
        { toolId: 'anydesk', deviceId: 'D5' },
        { toolId: 'teamviewer', deviceId: 'D6' },
      ],
      sanctions: [sanction(['vsa.contoso.com']), anydesk],
      catalog,
      window: WINDOW,
      backend,
    });
    expect(failures).toEqual([]);
    expect(Object.fromEntries(marks)).toEqual({
      [markKey('kaseya', 'D1')]: { kind: 'unsanctioned-instance', instances: ['203.0.113.5', 'managedsupport.kaseya.net', 'rmm-7731.kaseya.net'] },
      [markKey('kaseya', 'D2')]: { kind: 'sanctioned' },
      [markKey('anydesk', 'D5')]: { kind: 'sanctioned' },
    });
    expect(backend.queries).toHaveLength(1);
  });

  test('a failed instances query leaves its tool unmarked and says why', async () => {
    const failing: Backend = { ...engineBackend('defender'), run: async () => Promise.reject(new Error('throttled')) };
    const { marks, failures } = await sanctionMarks({
      devices: [{ toolId: 'kaseya', deviceId: 'D1' }],
      sanctions: [sanction(['vsa.contoso.com'])],
      catalog,
      window: WINDOW,
      backend: failing,
    });
    expect(marks.size).toBe(0);
    expect(failures.map((f) => [f.tool.id, (f.error as Error).message])).toEqual([['kaseya', 'throttled']]);
  });
});
