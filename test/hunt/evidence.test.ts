/**
 * The evidence model: the rows of the evidence queries (run on the hand-made tables of
 * `test/support/evidence-tables.ts`) read into typed, bounded evidence; instances classed against
 * sanctioned ones; bad rows refused; telemetry clipped and kept as text.
 */
import type { QueryResult } from '../../src/backends/backend';
import { loadCatalog } from '../../src/hunt/catalog';
import { evidenceFromResults, gatherEvidence, loggedOnUsers, MAX_TEXT, processesFromResult } from '../../src/hunt/evidence';
import { buildInstancesQuery, classifyInstances, instanceHost, instancesFromResult, isInstanceOf, type DeviceInstances } from '../../src/hunt/evidence-instances';
import { buildEvidenceQueries } from '../../src/hunt/evidence-queries';
import { bounded, clip } from '../../src/hunt/evidence-values';
import { ResultShapeError } from '../../src/hunt/finding';
import { parseWindow } from '../../src/hunt/window';
import { executeKql } from '../../src/kql';
import { DOWNLOAD_URL, EVIDENCE_NOW, evidenceTables, HOSTILE_COMMAND_LINE } from '../support/evidence-tables';

const kaseya = loadCatalog().get('kaseya')!;
const WINDOW = parseWindow('5d')!;
const at = (iso: string): Date => new Date(iso);
const set = (values: string[], total = values.length) => ({ values, total, more: total - values.length });

function run(query: string): QueryResult {
  return executeKql(query, { tables: evidenceTables('defender'), now: EVIDENCE_NOW });
}

function evidenceOf(deviceId: string) {
  const queries = buildEvidenceQueries({ tool: kaseya, deviceId, window: WINDOW }, { dialect: 'defender' });
  return evidenceFromResults({ files: run(queries.files!), processes: run(queries.processes!), network: run(queries.network), device: run(queries.device) });
}

describe('evidenceFromResults', () => {
  const evidence = evidenceOf('D1');

  test('binaries: typed, with their signature and prevalence', () => {
    expect(evidence.files).toEqual({
      total: 2,
      more: 0,
      rows: [
        {
          sha1: 'agent1',
          fileNames: set(['AgentMon.exe']),
          folderPaths: set(['C:\\Program Files (x86)\\Kaseya\\KSA7291033\\AgentMon.exe']),
          originUrls: set([]),
          signature: { signer: 'Kaseya Holdings Inc.', issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1', isSigned: true, isTrusted: false, expires: at('2026-06-14T23:59:59Z') },
          firstSeen: at('2024-06-08T12:05:00Z'),
          lastSeen: at('2024-06-10T09:10:00Z'),
          count: 8,
          deviceCount: 3,
        },
        expect.objectContaining({ sha1: 'setup1', originUrls: set([DOWNLOAD_URL]), deviceCount: 2 }),
      ],
    });
  });

  test('processes: account and parent, the command line as the attacker wrote it', () => {
    expect(evidence.processes?.rows.map((p) => [p.fileName, p.account, p.parent, p.commandLines.values])).toEqual([
      ['AgentMon.exe', 'nt authority\\system', 'services.exe', ['"C:\\Program Files (x86)\\Kaseya\\KSA7291033\\AgentMon.exe" --service']],
      ['KcsSetup.exe', 'contoso\\anna', 'explorer.exe', [HOSTILE_COMMAND_LINE]],
    ]);
  });

  test('connections, and the instances the device talks to, most recent first', () => {
    expect(evidence.network.rows.map((c) => [c.instance, c.remotePort, c.remoteIPs, c.deviceCount])).toEqual([
      ['rmm-7731.kaseya.net', 5721, set(['198.51.100.77', '198.51.100.78']), 2],
      ['203.0.113.5', 5721, set(['203.0.113.5']), null],
      ['managedsupport.kaseya.net', 443, set(['192.0.2.20']), 1],
    ]);
    expect(evidence.instances).toEqual([
      { instance: 'rmm-7731.kaseya.net', deviceCount: 2, lastSeen: at('2024-06-10T09:10:00Z') },
      { instance: '203.0.113.5', deviceCount: null, lastSeen: at('2024-06-10T08:00:00Z') },
      { instance: 'managedsupport.kaseya.net', deviceCount: 1, lastSeen: at('2024-06-09T12:00:00Z') },
    ]);
  });

  test('device context, with the logged-on users read from their JSON text', () => {
    expect(evidence.device).toEqual({
      deviceId: 'D1',
      deviceName: 'ws-1.corp.example',
      reportedAt: at('2024-06-10T11:00:00Z'),
      osPlatform: 'Windows11',
      osVersion: '10.0',
      deviceType: 'Workstation',
      machineGroup: 'Contoso Workstations',
      exposureLevel: 'Medium',
      publicIp: '203.0.113.10',
      loggedOnUsers: set(['CONTOSO\\anna']),
      onboardingStatus: 'Onboarded',
    });
  });

  test('gatherEvidence runs every query of the view through the given runner and reads them the same way', async () => {
    const ran: string[] = [];
    const gathered = await gatherEvidence({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' }, async (kql) => {
      ran.push(kql);
      return run(kql);
    });
    expect(gathered).toEqual(evidence);
    expect(ran.sort()).toEqual(Object.values(buildEvidenceQueries({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' })).sort());
    const failing = gatherEvidence({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' }, async (kql) => {
      if (kql.includes('DeviceInfo\n')) throw new Error('the service is down');
      return run(kql);
    });
    await expect(failing).rejects.toThrow('the service is down');
  });

  test('a device with no evidence: empty sections, no context', () => {
    const none = evidenceOf('D9');
    expect(none).toEqual({ files: { rows: [], total: 0, more: 0 }, processes: { rows: [], total: 0, more: 0 }, network: { rows: [], total: 0, more: 0 }, instances: [] });
  });
});

describe('bounded values', () => {
  test('clip keeps text up to MAX_TEXT characters and cuts longer text on a code point, with …', () => {
    expect(clip('short')).toBe('short');
    const long = `${'a'.repeat(MAX_TEXT - 2)}😀😀😀`;
    expect(clip(long)).toBe(`${'a'.repeat(MAX_TEXT - 2)}😀…`);
    expect(Array.from(clip(long))).toHaveLength(MAX_TEXT);
  });

  test('a set counts what was cut, never less than what it holds', () => {
    expect(bounded(['a', 'b'], 7)).toEqual({ values: ['a', 'b'], total: 7, more: 5 });
    expect(bounded(['a', 'b'], 1)).toEqual({ values: ['a', 'b'], total: 2, more: 0 });
  });

  test('a section counts the rows the query cut (Total), and long telemetry is clipped', () => {
    const row = { FileName: 'x.exe', FolderPath: 'p'.repeat(5000), SHA1: 's', AccountDomain: '', AccountName: 'svc', InitiatingProcessFileName: 'services.exe', FirstSeen: '2024-06-10T00:00:00Z', LastSeen: '2024-06-10T00:00:00Z', Count: 1, CommandLines: '["a","b"]', CommandLineCount: 9, Total: 40 };
    const section = processesFromResult({ columns: [], rows: [row] });
    expect(section.total).toBe(40);
    expect(section.more).toBe(39);
    expect(section.rows[0]!.folderPath).toHaveLength(MAX_TEXT);
    expect(section.rows[0]!.account).toBe('svc');
    expect(section.rows[0]!.commandLines).toEqual({ values: ['a', 'b'], total: 9, more: 7 });
  });

  test('logged-on users: bounded, deduplicated, and nothing from text that is not the documented JSON', () => {
    const users = JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ UserName: `u${i % 7}`, DomainName: 'CONTOSO' })));
    expect(loggedOnUsers(users)).toEqual({ values: ['CONTOSO\\u0', 'CONTOSO\\u1', 'CONTOSO\\u2', 'CONTOSO\\u3', 'CONTOSO\\u4'], total: 7, more: 2 });
    expect(loggedOnUsers('[{"UserName":"local"}, 5, null, {"DomainName":"X"}]')).toEqual(set(['local']));
    expect(loggedOnUsers('not json')).toEqual(set([]));
    expect(loggedOnUsers('{"UserName":"x"}')).toEqual(set([]));
  });
});

describe('rows that are not what the query promises are refused', () => {
  const good = { FileName: 'x', FolderPath: 'p', SHA1: 's', AccountDomain: 'd', AccountName: 'n', InitiatingProcessFileName: 'i', FirstSeen: '2024-06-10T00:00:00Z', LastSeen: '2024-06-10T00:00:00Z', Count: 1, CommandLines: [], CommandLineCount: 0, Total: 1 };
  test.each<[string, Record<string, unknown>, RegExp]>([
    ['a number for a string', { FileName: 5 }, /row 0: FileName is not a string/],
    ['text for a datetime', { LastSeen: 'yesterday' }, /row 0: LastSeen is not a datetime/],
    ['a string for a count', { Count: '1' }, /row 0: Count is not a number/],
    ['an object for a set', { CommandLines: { a: 1 } }, /row 0: CommandLines is not an array/],
    ['text that is not JSON for a set', { CommandLines: '[oops' }, /row 0: CommandLines is not a JSON array/],
  ])('%s', (_what, change, message) => {
    expect(() => processesFromResult({ columns: [], rows: [{ ...good, ...change } as never] })).toThrow(ResultShapeError);
    expect(() => processesFromResult({ columns: [], rows: [{ ...good, ...change } as never] })).toThrow(message);
  });

  test('a device context of two rows', () => {
    const queries = buildEvidenceQueries({ tool: kaseya, deviceId: 'D1', window: WINDOW }, { dialect: 'defender' });
    const device = run(queries.device);
    expect(() => evidenceFromResults({ network: { columns: [], rows: [] }, device: { ...device, rows: [...device.rows, ...device.rows] } })).toThrow(/device context has 2 rows/);
  });
});

describe('instances', () => {
  test.each<[string, string]>([
    ['vsa.contoso.com', 'vsa.contoso.com'],
    ['https://User@VSA.Contoso.com:5721/x?y#z', 'vsa.contoso.com'],
    ['vsa.contoso.com.', 'vsa.contoso.com'],
    ['HTTP://rmm-7731.kaseya.net/mkDefault.asp?id=4471', 'rmm-7731.kaseya.net'],
    ['198.51.100.77:5721', '198.51.100.77'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ["evil' | take 1 //", "evil' | take 1 "],
    ['', ''],
  ])('the host of %j is %j', (remote, host) => {
    expect(instanceHost(remote)).toBe(host);
  });

  test('a sanctioned instance covers itself and the names under it, nothing else', () => {
    expect(isInstanceOf('vsa.contoso.com', 'VSA.contoso.com')).toBe(true);
    expect(isInstanceOf('eu.vsa.contoso.com', 'vsa.contoso.com')).toBe(true);
    expect(isInstanceOf('evilvsa.contoso.com', 'vsa.contoso.com')).toBe(false);
    expect(isInstanceOf('vsa.contoso.com.evil.example', 'vsa.contoso.com')).toBe(false);
    expect(isInstanceOf('contoso.com', 'vsa.contoso.com')).toBe(false);
    expect(isInstanceOf('anything', '')).toBe(false);
  });

  const device = (remotes: string[], total = remotes.length): DeviceInstances => ({
    deviceId: 'D',
    remotes: bounded(remotes, total),
    hosts: [...new Set(remotes.map(instanceHost))],
    firstSeen: at('2024-06-10T00:00:00Z'),
    lastSeen: at('2024-06-10T00:00:00Z'),
    count: 1,
  });
  const sanctioned = ['vsa.contoso.com', 'managedsupport.kaseya.net'];

  test.each<[string, DeviceInstances | undefined, unknown]>([
    ['only sanctioned instances', device(['vsa.contoso.com', 'https://managedsupport.kaseya.net/x']), { kind: 'sanctioned' }],
    ['a foreign instance beside a sanctioned one', device(['vsa.contoso.com', 'rmm-7731.kaseya.net', '203.0.113.5']), { kind: 'foreign', instances: ['rmm-7731.kaseya.net', '203.0.113.5'] }],
    ['sanctioned ones shown, more cut', device(['vsa.contoso.com'], 25), { kind: 'incomplete', unseen: 24 }],
    ['a foreign one shown, more cut', device(['x.example'], 25), { kind: 'foreign', instances: ['x.example'] }],
    ['no connection at all', undefined, { kind: 'silent' }],
  ])('%s', (_what, instances, verdict) => {
    expect(classifyInstances(instances, sanctioned)).toEqual(verdict);
  });

  test('nothing sanctioned: every instance is foreign', () => {
    expect(classifyInstances(device(['vsa.contoso.com']), [])).toEqual({ kind: 'foreign', instances: ['vsa.contoso.com'] });
  });

  test('instancesFromResult reads the query rows; D1 talks to a foreign tenant, D2 only to Contoso', () => {
    const section = instancesFromResult(run(buildInstancesQuery({ tool: kaseya, window: WINDOW }, { dialect: 'defender', remotes: 2 })));
    expect(section.total).toBe(2);
    const [d1, d2] = section.rows;
    expect(d1).toMatchObject({ deviceId: 'D1', remotes: { values: ['rmm-7731.kaseya.net', 'managedsupport.kaseya.net'], total: 3, more: 1 }, hosts: ['rmm-7731.kaseya.net', 'managedsupport.kaseya.net'], count: 4 });
    expect(classifyInstances(d1, sanctioned)).toEqual({ kind: 'foreign', instances: ['rmm-7731.kaseya.net'] });
    expect(classifyInstances(d2, sanctioned)).toEqual({ kind: 'sanctioned' });
    expect(classifyInstances(d1, ['rmm-7731.kaseya.net', ...sanctioned])).toEqual({ kind: 'incomplete', unseen: 1 });
  });
});
