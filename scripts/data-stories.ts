/**
 * The two Kaseya stories of the sample data, from the seed rule's false-positive guidance ("is
 * this legitimate IT use, or someone else's remote access?"), told by the evidence tables:
 *
 * - **Contoso's own Kaseya.** Contoso runs its VSA server on `srv-mgmt-01` as `vsa.contoso.com`
 *   (port 5721). The IT admin workstation `it-adm-003` runs Contoso's agent, which checks in with
 *   `vsa.contoso.com`; the same agent binary (one SHA-1) was updated two and a half days ago on
 *   the servers and the other IT admin workstations ({@link contosoFleet}), which check in with
 *   `vsa.contoso.com` too: the binary and the URL are on many devices. The VSA server also reaches
 *   Kaseya's `managedsupport.kaseya.net`. Contoso's sanctioned instances are
 *   {@link KASEYA_SANCTIONED_INSTANCES}.
 * - **Somebody else's Kaseya.** On the finance workstation `ws-fin-014` the user downloaded
 *   `KcsSetup.exe` with Edge from an unknown tenant, `rmm-7731.kaseya.net`, into their Downloads
 *   folder and ran it; it installed an agent (another build) that talks to that tenant only. The
 *   binary and the URL are on that one device.
 *
 * The certificate scan (`DeviceFileCertificateInfo`) reported Contoso's binary only on the
 * devices the scenario plants it on, so the Kaseya hunt's devices do not change; the fleet shows
 * in file events and connections. Times are fixed offsets before the anchor, so every table
 * tells the same order of events (download, run, install, connect).
 */
import { SYSTEM_ACCOUNT, type Device } from './data-devices';
import type { SeededRandom } from './data-random';
import { deviceInfoRow, fileEventRow, type DeviceReport } from './data-rows-evidence';
import { certificateRow, networkRow, processRow, type Program, type Row } from './data-rows';
import type { VendorProfile } from './data-scenario';

/** Contoso's VSA server. */
export const CONTOSO_VSA = 'vsa.contoso.com';
/** Kaseya's support service, which Contoso's VSA server reaches. */
export const KASEYA_SUPPORT = 'managedsupport.kaseya.net';
/** The unknown tenant `ws-fin-014`'s agent talks to. */
export const FOREIGN_VSA = 'rmm-7731.kaseya.net';
/** Where `ws-fin-014`'s user downloaded the installer from. */
export const FOREIGN_DOWNLOAD = `https://${FOREIGN_VSA}/mkDefault.asp?id=4471`;
/** The instances of Kaseya Contoso sanctions (`sanction kaseya instance ...`). */
export const KASEYA_SANCTIONED_INSTANCES: readonly string[] = Object.freeze([CONTOSO_VSA, KASEYA_SUPPORT]);
/** The devices of the stories. */
export const STORY_DEVICES = Object.freeze({ itAdmin: 'it-adm-003', vsaServer: 'srv-mgmt-01', downloaded: 'ws-fin-014' });

/** Kaseya's agent as every Kaseya profile has it. */
export const KASEYA_AGENT = Object.freeze({
  tool: 'kaseya',
  fileName: 'AgentMon.exe',
  company: 'Kaseya',
  product: 'Kaseya Agent',
  description: 'Kaseya Agent Monitor Service',
  version: '9.5.0.22',
  issuer: 'DigiCert Trusted G4 Code Signing RSA4096 SHA384 2021 CA1',
});

/** The folder of agents installed by an outside VSA (`ws-fin-014`, `lt-hr-207`). */
export const OUTSIDE_AGENT_FOLDER = 'C:\\Program Files (x86)\\Kaseya\\KSA7291033\\';
const CONTOSO_AGENT_FOLDER = 'C:\\Program Files (x86)\\Kaseya\\CONTOSO0417\\';

/** The stories' profiles (merged into the scenario's `PROFILES`). */
export const STORY_PROFILES: Readonly<Record<string, VendorProfile>> = {
  'kaseya-contoso': { ...KASEYA_AGENT, folder: CONTOSO_AGENT_FOLDER, urls: [CONTOSO_VSA] },
  'kaseya-vsa-server': { ...KASEYA_AGENT, folder: CONTOSO_AGENT_FOLDER, urls: [CONTOSO_VSA, KASEYA_SUPPORT] },
  'kaseya-foreign': { ...KASEYA_AGENT, folder: OUTSIDE_AGENT_FOLDER, urls: [FOREIGN_VSA] },
};

/** The signer of Contoso's agent binary, as `it-adm-003`'s certificate records it. */
const CONTOSO_SIGNER = 'KASEYA HOLDINGS INC';
/** The signer of the agent and installer `ws-fin-014` got from the unknown tenant. */
const FOREIGN_SIGNER = 'Kaseya Holdings Inc.';

const CONTOSO_AGENT: Program = { ...STORY_PROFILES['kaseya-contoso']!, signer: CONTOSO_SIGNER };
const FOREIGN_AGENT: Program = { ...STORY_PROFILES['kaseya-foreign']!, signer: FOREIGN_SIGNER };
const EDGE: Program = {
  fileName: 'msedge.exe',
  folder: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\',
  company: 'Microsoft Corporation',
  product: 'Microsoft Edge',
  description: 'Microsoft Edge',
  version: '126.0.2592.87',
  signer: 'Microsoft Corporation',
  issuer: 'Microsoft Code Signing PCA 2011',
};

/** The installer `ws-fin-014`'s user ran from their Downloads folder. */
function foreignInstaller(device: Device): Program {
  return { ...FOREIGN_AGENT, fileName: 'KcsSetup.exe', folder: `C:\\Users\\${device.user.name}\\Downloads\\`, description: 'Kaseya Setup' };
}

/** Where the stories' hosts are: address, port and kind, for the connections to them. */
export type Endpoints = ReadonlyMap<string, Readonly<Pick<Row, 'RemoteIP' | 'RemotePort' | 'RemoteIPType'>>>;

/** The stories' endpoints: Contoso's VSA on `srv-mgmt-01`'s address, the unknown tenant on the internet. */
export function storyEndpoints(byHost: ReadonlyMap<string, Device>): Endpoints {
  const server = byHost.get(STORY_DEVICES.vsaServer);
  if (!server) throw new Error(`stories: no device ${STORY_DEVICES.vsaServer}`);
  return new Map([
    [CONTOSO_VSA, { RemoteIP: server.ip, RemotePort: 5721, RemoteIPType: 'Private' }],
    [FOREIGN_VSA, { RemoteIP: '198.51.100.77', RemotePort: 5721, RemoteIPType: 'Public' }],
  ]);
}

/** The devices besides `it-adm-003` and `srv-mgmt-01` that run Contoso's agent: the other servers and IT admin workstations. */
export function contosoFleet(inventory: readonly Device[]): Device[] {
  return inventory.filter((d) => (d.role === 'server' || d.role === 'admin') && d.host !== STORY_DEVICES.itAdmin && d.host !== STORY_DEVICES.vsaServer);
}

/** What the story rows are made from. */
export interface StoryContext {
  readonly anchor: number;
  readonly inventory: readonly Device[];
  readonly byHost: ReadonlyMap<string, Device>;
  readonly endpoints: Endpoints;
  readonly random: SeededRandom;
  /** The report id of the first row made. */
  readonly firstReportId: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The stories' rows of `table` (none for tables they do not touch), report ids from `firstReportId`. */
export function storyRows(table: string, context: StoryContext): Row[] {
  const { anchor, byHost, random } = context;
  const at = (daysAgo: number, minutes = 0): Date => new Date(anchor - Math.round(daysAgo * DAY_MS) + minutes * MINUTE_MS);
  const device = (host: string): Device => {
    const found = byHost.get(host);
    if (!found) throw new Error(`stories: no device ${host}`);
    return found;
  };
  const workstation = device(STORY_DEVICES.downloaded);
  const installer = foreignInstaller(workstation);
  const fleet = contosoFleet(context.inventory);
  const makers: Array<(reportId: number) => Row> = [];
  const ctx = (d: Device, time: Date, reportId: number) => ({ device: d, time, reportId });
  switch (table) {
    case 'DeviceFileCertificateInfo':
      makers.push((id) => certificateRow(ctx(workstation, at(4.3, 4), id), installer, random));
      break;
    case 'DeviceProcessEvents':
      makers.push((id) => processRow(ctx(workstation, at(4.3, 2), id), installer, random));
      break;
    case 'DeviceFileEvents':
      makers.push((id) => fileEventRow(ctx(workstation, at(4.3), id), installer, { action: 'FileCreated', writer: EDGE, account: workstation.user, originUrl: FOREIGN_DOWNLOAD, originIp: '198.51.100.77' }, random));
      makers.push((id) => fileEventRow(ctx(workstation, at(4.3, 6), id), FOREIGN_AGENT, { action: 'FileCreated', writer: installer, account: workstation.user }, random));
      [device(STORY_DEVICES.itAdmin), ...fleet].forEach((d, i) => {
        makers.push((id) => fileEventRow(ctx(d, at(2.4, 7 * i), id), CONTOSO_AGENT, { action: 'FileModified', writer: CONTOSO_AGENT, account: SYSTEM_ACCOUNT }, random));
      });
      break;
    case 'DeviceNetworkEvents':
      fleet.forEach((d, i) => {
        makers.push((id) => ({ ...networkRow(ctx(d, at(0.6, 11 * i), id), CONTOSO_AGENT, CONTOSO_VSA, random), ...context.endpoints.get(CONTOSO_VSA) }));
      });
      break;
    case 'DeviceInfo':
      return deviceReports(context);
    default:
      break;
  }
  return makers.map((make, i) => make(context.firstReportId + i));
}

/**
 * One `DeviceInfo` report per device within the last few hours, the stories' devices fixed: and
 * an older report of `ws-fin-014` from before the install, so that only its latest report
 * (`arg_max(Timestamp, *)`) gives its context.
 */
function deviceReports(context: StoryContext): Row[] {
  const { anchor, random } = context;
  const reports: Array<{ device: Device; time: Date; report: DeviceReport }> = [];
  const special: Readonly<Record<string, DeviceReport>> = {
    [STORY_DEVICES.downloaded]: { exposureLevel: 'Medium' },
    [STORY_DEVICES.itAdmin]: { exposureLevel: 'Low', manualTags: ['IT-Admin'] },
    [STORY_DEVICES.vsaServer]: { exposureLevel: 'Medium', manualTags: ['Kaseya VSA'] },
  };
  const workstation = context.byHost.get(STORY_DEVICES.downloaded);
  if (workstation) reports.push({ device: workstation, time: new Date(anchor - Math.round(4.6 * DAY_MS)), report: { exposureLevel: 'Low', loggedOn: [] } });
  for (const device of context.inventory) {
    reports.push({ device, time: new Date(anchor - random.int(5, 300) * MINUTE_MS), report: special[device.host] ?? {} });
  }
  return reports.map((r, i) => deviceInfoRow({ device: r.device, time: r.time, reportId: context.firstReportId + i }, r.report));
}
