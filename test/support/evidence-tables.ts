/**
 * Hand-made evidence tables for the evidence queries' tests: a device `D1` with a Kaseya agent
 * talking to an unknown tenant, installed from a user's Downloads folder, plus other devices that
 * share its binaries or URLs (prevalence), a browser that only visits Kaseya's web site (not the
 * tool), a certificate outside the window, a partial `DeviceInfo` heartbeat. Every row is named
 * (`c1`, `p3`, ...) so that the tests' expectations can say which rows they come from. Times are
 * relative to {@link EVIDENCE_NOW} (window: the 5 days before it).
 */
import type { Dialect } from '../../src/backends/backend';
import { DEFENDER_SCHEMAS, Table, tablesFrom, type DefenderTableName, type TableProvider, type TableSchema } from '../../src/kql';

/** `now()` of the evidence tests. */
export const EVIDENCE_NOW = new Date('2024-06-10T12:00:00.000Z');

/** A command line an attacker chose: KQL and markup that must stay text. */
export const HOSTILE_COMMAND_LINE = `"C:\\Users\\anna\\Downloads\\KcsSetup.exe" ' | take 1 // <b>[x](http://e.example)</b>`;

/** The download URL of the installer. */
export const DOWNLOAD_URL = 'https://rmm-7731.kaseya.net/mkDefault.asp?id=4471';

type Event = Record<string, string | number | boolean | null>;

const KASEYA = { Signer: 'Kaseya Holdings Inc.', Issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1', IsSigned: true, CertificateExpirationTime: '2026-06-14T23:59:59Z' };
const AGENT_PATH = 'C:\\Program Files (x86)\\Kaseya\\KSA7291033\\AgentMon.exe';
const SETUP_PATH = 'C:\\Users\\anna\\Downloads\\KcsSetup.exe';
const AGENT_PROCESS = { InitiatingProcessFileName: 'AgentMon.exe', InitiatingProcessFolderPath: AGENT_PATH, InitiatingProcessSHA1: 'agent1', InitiatingProcessVersionInfoCompanyName: 'Kaseya', InitiatingProcessVersionInfoProductName: 'Kaseya Agent' };

/** The rows of each table, by name. */
export const EVIDENCE_EVENTS: Readonly<Record<DefenderTableName, Readonly<Record<string, Event>>>> = {
  DeviceFileCertificateInfo: {
    c1: { Timestamp: '2024-06-09T10:00:00Z', DeviceId: 'D1', SHA1: 'agent1', ...KASEYA, IsTrusted: true },
    c2: { Timestamp: '2024-06-10T09:00:00Z', DeviceId: 'D1', SHA1: 'agent1', ...KASEYA, IsTrusted: false },
    c3: { Timestamp: '2024-06-09T00:00:00Z', DeviceId: 'D2', SHA1: 'agent1', ...KASEYA, IsTrusted: true },
    c4: { Timestamp: '2024-06-08T12:00:00Z', DeviceId: 'D1', SHA1: 'setup1', ...KASEYA, IsTrusted: true },
    c5: { Timestamp: '2024-06-09T00:00:00Z', DeviceId: 'D1', SHA1: 'chrome1', Signer: 'Google LLC', Issuer: 'DigiCert', IsSigned: true, IsTrusted: true },
    c6: { Timestamp: '2024-06-09T00:00:00Z', DeviceId: 'D3', SHA1: 'agent2', ...KASEYA, IsTrusted: true },
    c7: { Timestamp: '2024-06-01T00:00:00Z', DeviceId: 'D1', SHA1: 'old1', ...KASEYA, IsTrusted: true },
  },
  DeviceProcessEvents: {
    p1: { Timestamp: '2024-06-09T10:05:00Z', DeviceId: 'D1', SHA1: 'agent1', FileName: 'AgentMon.exe', FolderPath: AGENT_PATH, AccountDomain: 'nt authority', AccountName: 'system', InitiatingProcessFileName: 'services.exe', ProcessCommandLine: `"${AGENT_PATH}" --service` },
    p2: { Timestamp: '2024-06-10T09:05:00Z', DeviceId: 'D1', SHA1: 'agent1', FileName: 'AgentMon.exe', FolderPath: AGENT_PATH, AccountDomain: 'nt authority', AccountName: 'system', InitiatingProcessFileName: 'services.exe', ProcessCommandLine: `"${AGENT_PATH}" --service` },
    p3: { Timestamp: '2024-06-08T12:01:00Z', DeviceId: 'D1', SHA1: 'setup1', FileName: 'KcsSetup.exe', FolderPath: SETUP_PATH, AccountDomain: 'contoso', AccountName: 'anna', InitiatingProcessFileName: 'explorer.exe', ProcessCommandLine: HOSTILE_COMMAND_LINE },
    p4: { Timestamp: '2024-06-09T11:00:00Z', DeviceId: 'D1', SHA1: 'chrome1', FileName: 'chrome.exe', FolderPath: 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', AccountDomain: 'contoso', AccountName: 'anna', InitiatingProcessFileName: 'explorer.exe' },
    p5: { Timestamp: '2024-06-09T00:00:00Z', DeviceId: 'D4', SHA1: 'agent1', FileName: 'AgentMon.exe', FolderPath: AGENT_PATH },
  },
  DeviceFileEvents: {
    f1: { Timestamp: '2024-06-08T12:00:00Z', DeviceId: 'D1', ActionType: 'FileCreated', SHA1: 'setup1', FileName: 'KcsSetup.exe', FolderPath: SETUP_PATH, FileOriginUrl: DOWNLOAD_URL },
    f2: { Timestamp: '2024-06-08T12:05:00Z', DeviceId: 'D1', ActionType: 'FileCreated', SHA1: 'agent1', FileName: 'AgentMon.exe', FolderPath: AGENT_PATH },
    f3: { Timestamp: '2024-06-09T00:00:00Z', DeviceId: 'D5', ActionType: 'FileCreated', SHA1: 'setup1', FileName: 'KcsSetup.exe', FolderPath: 'C:\\Users\\bob\\Downloads\\KcsSetup.exe' },
  },
  DeviceNetworkEvents: {
    n1: { Timestamp: '2024-06-09T10:10:00Z', DeviceId: 'D1', RemoteUrl: 'rmm-7731.kaseya.net', RemotePort: 5721, RemoteIP: '198.51.100.77', ...AGENT_PROCESS },
    n2: { Timestamp: '2024-06-10T09:10:00Z', DeviceId: 'D1', RemoteUrl: 'rmm-7731.kaseya.net', RemotePort: 5721, RemoteIP: '198.51.100.78', ...AGENT_PROCESS },
    n3: { Timestamp: '2024-06-09T11:05:00Z', DeviceId: 'D1', RemoteUrl: 'www.kaseya.com', RemotePort: 443, RemoteIP: '192.0.2.10', InitiatingProcessFileName: 'chrome.exe', InitiatingProcessSHA1: 'chrome1', InitiatingProcessVersionInfoCompanyName: 'Google LLC', InitiatingProcessVersionInfoProductName: 'Google Chrome' },
    n4: { Timestamp: '2024-06-09T12:00:00Z', DeviceId: 'D1', RemoteUrl: 'managedsupport.kaseya.net', RemotePort: 443, RemoteIP: '192.0.2.20', InitiatingProcessFileName: 'ksvc.exe', InitiatingProcessSHA1: 'unknown1', InitiatingProcessVersionInfoCompanyName: 'Kaseya', InitiatingProcessVersionInfoProductName: 'Kaseya Agent' },
    n5: { Timestamp: '2024-06-09T08:00:00Z', DeviceId: 'D2', RemoteUrl: 'VSA.Contoso.com', RemotePort: 5721, RemoteIP: '10.10.0.21', ...AGENT_PROCESS },
    n6: { Timestamp: '2024-06-09T09:00:00Z', DeviceId: 'D6', RemoteUrl: 'rmm-7731.kaseya.net', RemotePort: 443, RemoteIP: '198.51.100.77', InitiatingProcessFileName: 'chrome.exe', InitiatingProcessSHA1: 'chrome1', InitiatingProcessVersionInfoCompanyName: 'Google LLC' },
    n7: { Timestamp: '2024-06-10T08:00:00Z', DeviceId: 'D1', RemoteUrl: '', RemotePort: 5721, RemoteIP: '203.0.113.5', ...AGENT_PROCESS },
  },
  DeviceInfo: {
    i1: { Timestamp: '2024-06-06T00:00:00Z', DeviceId: 'D1', DeviceName: 'ws-1.corp.example', OSPlatform: 'Windows10', OSVersion: '10.0', ExposureLevel: 'Low', LoggedOnUsers: '[]' },
    i2: {
      Timestamp: '2024-06-10T11:00:00Z',
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
    i3: { Timestamp: '2024-06-10T11:30:00Z', DeviceId: 'D1', DeviceName: 'ws-1.corp.example', OSPlatform: '' },
    i4: { Timestamp: '2024-06-10T11:00:00Z', DeviceId: 'D2', DeviceName: 'ws-2', OSPlatform: 'Windows11' },
  },
};

/** A Defender table's schema as a dialect has it (Log Analytics: `TimeGenerated` instead of `Timestamp`). */
export function dialectSchema(table: DefenderTableName, dialect: Dialect): TableSchema {
  const columns = DEFENDER_SCHEMAS[table];
  return dialect === 'defender' ? columns : [{ name: 'TimeGenerated', type: 'datetime' }, ...columns.filter((c) => c.name !== 'Timestamp')];
}

/** The tables of `events` (default {@link EVIDENCE_EVENTS}) in a dialect. */
export function evidenceTables(dialect: Dialect, events: Partial<Record<DefenderTableName, Readonly<Record<string, Event>>>> = EVIDENCE_EVENTS): TableProvider {
  return tablesFrom(
    (Object.keys(DEFENDER_SCHEMAS) as DefenderTableName[]).map((table) => {
      const rows = Object.values(events[table] ?? {}).map(({ Timestamp, ...rest }) => (dialect === 'defender' ? { Timestamp, ...rest } : { TimeGenerated: Timestamp, ...rest }));
      return Table.fromRecords(table, dialectSchema(table, dialect), rows);
    }),
  );
}

/** Log Analytics' schemas of every Defender table, for Kusto's analyser. */
export function logAnalyticsSchemas(): Record<string, TableSchema> {
  return Object.fromEntries((Object.keys(DEFENDER_SCHEMAS) as DefenderTableName[]).map((table) => [table, dialectSchema(table, 'loganalytics')]));
}
