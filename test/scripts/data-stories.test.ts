/**
 * The Kaseya stories in the committed sample data (`scripts/data-stories.ts`; the generator's test
 * proves the committed files are a fresh generation), checked row by row against what
 * `data/sample/README.md` tells: Contoso's agent on many devices talking to its own VSA server,
 * and a workstation whose agent came from a user's Downloads folder and talks to an unknown
 * tenant. Device lists are written out by hand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DefenderTableName } from '../../src/kql/schemas';

type Row = Record<string, string | number | boolean | null>;

const SAMPLE_DIR = path.resolve(__dirname, '..', '..', 'data', 'sample');
const rows = (table: DefenderTableName): Row[] =>
  readFileSync(path.join(SAMPLE_DIR, `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
const host = (row: Row): string => String(row.DeviceName).split('.')[0]!;
const hosts = (list: readonly Row[]): string[] => [...new Set(list.map(host))].sort();

const certificates = rows('DeviceFileCertificateInfo');
const processes = rows('DeviceProcessEvents');
const connections = rows('DeviceNetworkEvents');
const files = rows('DeviceFileEvents');
const reports = rows('DeviceInfo');

/** Contoso's servers and IT admin workstations, besides it-adm-003 and the VSA server srv-mgmt-01. */
const FLEET = [
  'it-adm-001', 'it-adm-002', 'it-adm-004', 'it-adm-005', 'it-adm-006',
  'srv-app-01', 'srv-app-02', 'srv-app-03', 'srv-dc-01', 'srv-dc-02', 'srv-file-01', 'srv-file-02',
  'srv-mgmt-02', 'srv-mgmt-03', 'srv-sql-01', 'srv-sql-02', 'srv-web-01', 'srv-web-02',
];

describe("Contoso's own Kaseya", () => {
  const agent = certificates.filter((r) => host(r) === 'it-adm-003' && r.Signer === 'KASEYA HOLDINGS INC');
  const sha1 = agent[0]?.SHA1;

  test("it-adm-003's agent binary: certificates on it-adm-003 alone, file events and connections on 19 devices", () => {
    expect(agent).toHaveLength(4);
    expect(new Set(agent.map((r) => r.SHA1)).size).toBe(1);
    expect(hosts(certificates.filter((r) => r.SHA1 === sha1))).toEqual(['it-adm-003']);
    expect(hosts(files.filter((r) => r.SHA1 === sha1))).toEqual([...FLEET, 'it-adm-003'].sort());
    expect(hosts(connections.filter((r) => r.InitiatingProcessSHA1 === sha1))).toEqual([...FLEET, 'it-adm-003'].sort());
    expect(files.filter((r) => r.SHA1 === sha1).every((r) => r.ActionType === 'FileModified' && r.FolderPath === 'C:\\Program Files (x86)\\Kaseya\\CONTOSO0417\\AgentMon.exe')).toBe(true);
    expect(hosts(processes.filter((r) => r.SHA1 === sha1))).toEqual(['it-adm-003']);
  });

  test('vsa.contoso.com: 20 devices check in on port 5721 at the address of srv-mgmt-01, which also reaches managedsupport.kaseya.net', () => {
    const vsa = connections.filter((r) => r.RemoteUrl === 'vsa.contoso.com');
    expect(hosts(vsa)).toEqual([...FLEET, 'it-adm-003', 'srv-mgmt-01'].sort());
    const serverIp = connections.find((r) => host(r) === 'srv-mgmt-01')!.LocalIP;
    expect(vsa.every((r) => r.RemotePort === 5721 && r.RemoteIP === serverIp && r.RemoteIPType === 'Private' && r.InitiatingProcessFileName === 'AgentMon.exe')).toBe(true);
    const server = connections.filter((r) => host(r) === 'srv-mgmt-01' && r.InitiatingProcessVersionInfoCompanyName === 'Kaseya');
    expect([...new Set(server.map((r) => r.RemoteUrl))].sort()).toEqual(['managedsupport.kaseya.net', 'vsa.contoso.com']);
    expect(hosts(connections.filter((r) => r.RemoteUrl === 'managedsupport.kaseya.net'))).toEqual(['srv-mgmt-01']);
  });
});

describe("somebody else's Kaseya on ws-fin-014", () => {
  const user = String(processes.find((r) => host(r) === 'ws-fin-014' && r.FileName === 'KcsSetup.exe')?.AccountName);
  const downloads = `C:\\Users\\${user}\\Downloads\\KcsSetup.exe`;

  test('the user downloaded KcsSetup.exe with Edge from the unknown tenant into their Downloads folder, and ran it', () => {
    const download = files.find((r) => host(r) === 'ws-fin-014' && r.FileName === 'KcsSetup.exe')!;
    expect(download).toMatchObject({
      ActionType: 'FileCreated',
      FolderPath: downloads,
      FileOriginUrl: 'https://rmm-7731.kaseya.net/mkDefault.asp?id=4471',
      InitiatingProcessFileName: 'msedge.exe',
      InitiatingProcessAccountName: user,
    });
    const run = processes.find((r) => host(r) === 'ws-fin-014' && r.FileName === 'KcsSetup.exe')!;
    expect(run).toMatchObject({ FolderPath: downloads, InitiatingProcessFileName: 'explorer.exe', SHA1: download.SHA1 });
    expect(user).not.toBe('system');
    expect(certificates.filter((r) => r.SHA1 === download.SHA1).map((r) => [host(r), r.Signer])).toEqual([['ws-fin-014', 'Kaseya Holdings Inc.']]);
  });

  test('the installer wrote the agent, which talks to rmm-7731.kaseya.net and nothing else, on this device only', () => {
    const installed = files.find((r) => host(r) === 'ws-fin-014' && r.FileName === 'AgentMon.exe')!;
    expect(installed).toMatchObject({ ActionType: 'FileCreated', FolderPath: 'C:\\Program Files (x86)\\Kaseya\\KSA7291033\\AgentMon.exe', InitiatingProcessFileName: 'KcsSetup.exe', InitiatingProcessFolderPath: downloads });
    const agent = connections.filter((r) => host(r) === 'ws-fin-014' && r.InitiatingProcessSHA1 === installed.SHA1);
    expect(agent).toHaveLength(6);
    expect(agent.every((r) => r.RemoteUrl === 'rmm-7731.kaseya.net' && r.RemotePort === 5721 && r.RemoteIPType === 'Public')).toBe(true);
    expect(hosts(connections.filter((r) => r.RemoteUrl === 'rmm-7731.kaseya.net'))).toEqual(['ws-fin-014']);
    expect(hosts([...files, ...processes].filter((r) => r.SHA1 === installed.SHA1))).toEqual(['ws-fin-014']);
  });

  test('in that order: download, run, install, then the agent’s first certificate and connection', () => {
    const time = (list: readonly Row[], pick: (r: Row) => boolean): number => Math.min(...list.filter((r) => host(r) === 'ws-fin-014' && pick(r)).map((r) => Date.parse(String(r.Timestamp))));
    const download = time(files, (r) => r.FileName === 'KcsSetup.exe');
    const run = time(processes, (r) => r.FileName === 'KcsSetup.exe');
    const install = time(files, (r) => r.FileName === 'AgentMon.exe');
    const firstCertificate = time(certificates, (r) => r.Signer === 'Kaseya Holdings Inc.' && r.SHA1 !== files.find((f) => f.FileName === 'KcsSetup.exe' && host(f) === 'ws-fin-014')!.SHA1);
    const firstConnection = time(connections, (r) => r.RemoteUrl === 'rmm-7731.kaseya.net');
    expect(download).toBeLessThan(run);
    expect(run).toBeLessThan(install);
    expect(install).toBeLessThan(firstCertificate);
    expect(install).toBeLessThan(firstConnection);
  });
});

describe('DeviceInfo', () => {
  test('one report for every device of the events, and an older one for ws-fin-014', () => {
    const eventDevices = new Set([...certificates, ...processes, ...connections, ...files].map((r) => r.DeviceId));
    const reported = new Set(reports.map((r) => r.DeviceId));
    expect([...eventDevices].filter((id) => !reported.has(id))).toEqual([]);
    const perDevice = new Map<unknown, number>();
    for (const r of reports) perDevice.set(r.DeviceId, (perDevice.get(r.DeviceId) ?? 0) + 1);
    expect([...perDevice].filter(([, n]) => n > 1).map(([id]) => host(reports.find((r) => r.DeviceId === id)!))).toEqual(['ws-fin-014']);
    expect(reports.every((r) => r.OnboardingStatus === 'Onboarded' && r.OSPlatform !== '')).toBe(true);
  });

  test("the stories' devices: the latest report of each", () => {
    const latest = (name: string): Row => reports.filter((r) => host(r) === name).sort((a, b) => String(b.Timestamp).localeCompare(String(a.Timestamp)))[0]!;
    const user = String(processes.find((r) => host(r) === 'ws-fin-014' && r.FileName === 'KcsSetup.exe')?.AccountName);
    expect(latest('ws-fin-014')).toMatchObject({ MachineGroup: 'Contoso Workstations', DeviceType: 'Workstation', ExposureLevel: 'Medium', PublicIP: '203.0.113.10' });
    expect(JSON.parse(String(latest('ws-fin-014').LoggedOnUsers))).toEqual([expect.objectContaining({ UserName: user, DomainName: 'CONTOSO' })]);
    expect(latest('it-adm-003')).toMatchObject({ MachineGroup: 'IT Admin Workstations', ExposureLevel: 'Low', DeviceManualTags: '["IT-Admin"]' });
    expect(latest('srv-mgmt-01')).toMatchObject({ MachineGroup: 'Contoso Servers', DeviceType: 'Server', LoggedOnUsers: '[]' });
    expect(latest('lt-sal-305')).toMatchObject({ MachineGroup: 'UnassignedGroup', IsAzureADJoined: false });
  });
});
