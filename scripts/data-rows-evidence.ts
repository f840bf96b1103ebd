/**
 * Rows of the evidence tables: `DeviceFileEvents` (a file written on a device, by which process,
 * downloaded from where) and `DeviceInfo` (a device's periodic report: OS, machine group,
 * exposure, logged-on users), every documented column in the documented order, like the rows of
 * `data-rows.ts`. `LoggedOnUsers`, `DeviceManualTags` and `AdditionalFields` are JSON text, as
 * Defender documents them.
 */
import { SYSTEM_ACCOUNT, type Account, type Device } from './data-devices';
import type { SeededRandom } from './data-random';
import { fakeHash, fileSha1, iso, PARENT, processFields, shapeRow, USER_PARENT, type EventContext, type Program, type Row } from './data-rows';

/** What a file event records besides the file. */
export interface FileEventDetails {
  readonly action: 'FileCreated' | 'FileModified';
  /** The process that wrote the file. */
  readonly writer: Program;
  /** The account the writer ran as. */
  readonly account: Account;
  /** Where the file was downloaded from, for a download. */
  readonly originUrl?: string;
  readonly originIp?: string;
}

/** A `DeviceFileEvents` row: `file` written on a device by `details.writer`. */
export function fileEventRow(context: EventContext, file: Program, details: FileEventDetails, random: SeededRandom): Row {
  const sha1 = fileSha1(file);
  const system = details.account === SYSTEM_ACCOUNT;
  const writerCreated = new Date(context.time.getTime() - random.int(2, 600) * 1000);
  const parentCreated = new Date(writerCreated.getTime() - random.int(60, 86_400) * 1000);
  return shapeRow('DeviceFileEvents', {
    Timestamp: iso(context.time),
    DeviceId: context.device.deviceId,
    DeviceName: context.device.deviceName,
    ActionType: details.action,
    FileName: file.fileName,
    FolderPath: `${file.folder}${file.fileName}`,
    SHA1: sha1,
    SHA256: fakeHash(`sha256:${sha1}`, 64),
    MD5: fakeHash(`md5:${sha1}`, 32),
    FileOriginUrl: details.originUrl ?? '',
    FileOriginIP: details.originIp ?? '',
    FileSize: 200_000 + (parseInt(sha1.slice(0, 6), 16) % 40_000_000),
    ...processFields('InitiatingProcess', details.writer, details.account, random.int(1000, 65000), writerCreated),
    InitiatingProcessParentId: random.int(400, 9000),
    InitiatingProcessParentFileName: (system ? PARENT : USER_PARENT).fileName,
    InitiatingProcessParentCreationTime: iso(parentCreated),
    RequestProtocol: 'Local',
    IsAzureInfoProtectionApplied: false,
    ReportId: context.reportId,
    AdditionalFields: JSON.stringify({ FileType: 'PortableExecutable' }),
    InitiatingProcessSessionId: system ? 0 : 1,
    IsInitiatingProcessRemoteSession: false,
  });
}

/** Windows as the generated organisation runs it: workstations on Windows 11 or 10, servers on Server 2022 or 2019. */
const PLATFORMS = {
  client: [
    { platform: 'Windows11', build: 22631, info: '23H2' },
    { platform: 'Windows10', build: 19045, info: '22H2' },
  ],
  server: [
    { platform: 'WindowsServer2022', build: 20348, info: '21H2' },
    { platform: 'WindowsServer2019', build: 17763, info: '1809' },
  ],
} as const;

/** The machine group each kind of device is in (`UnassignedGroup`: a device no group claims). */
const MACHINE_GROUPS: Readonly<Record<Device['role'], string>> = {
  workstation: 'Contoso Workstations',
  laptop: 'Contoso Laptops',
  admin: 'IT Admin Workstations',
  server: 'Contoso Servers',
};

/** The office's address on the internet; devices off the domain report a home or hotel address. */
export const OFFICE_PUBLIC_IP = '203.0.113.10';

/** What a device report says beyond what the inventory fixes. */
export interface DeviceReport {
  /** Users logged on at the time; the device's primary user when absent (nobody on a server). */
  readonly loggedOn?: readonly Account[];
  readonly exposureLevel?: 'Low' | 'Medium' | 'High';
  readonly manualTags?: readonly string[];
}

/** A stable choice among `count` for a device (the same in every report of it). */
function choice(device: Device, what: string, count: number): number {
  return parseInt(fakeHash(`${what}:${device.deviceId}`, 6), 16) % count;
}

/** A `DeviceInfo` row: `device`'s report at `context.time`; what the report does not say is fixed per device. */
export function deviceInfoRow(context: EventContext, report: DeviceReport): Row {
  const { device } = context;
  const server = device.role === 'server';
  const platforms = server ? PLATFORMS.server : PLATFORMS.client;
  const os = platforms[choice(device, 'os', platforms.length)]!;
  const domainJoined = device.deviceName !== device.host;
  const users = report.loggedOn ?? (server ? [] : [device.user]);
  const exposure = (['Low', 'Low', 'Low', 'Low', 'Low', 'Medium', 'Medium', 'Medium', 'Medium', 'High'] as const)[choice(device, 'exposure', 10)]!;
  return shapeRow('DeviceInfo', {
    Timestamp: iso(context.time),
    DeviceId: device.deviceId,
    DeviceName: device.deviceName,
    ClientVersion: '10.8760.22621.1001',
    PublicIP: domainJoined ? OFFICE_PUBLIC_IP : `198.51.100.${20 + choice(device, 'ip', 230)}`,
    OSArchitecture: '64-bit',
    OSPlatform: os.platform,
    OSBuild: os.build,
    IsAzureADJoined: domainJoined,
    JoinType: domainJoined ? 'Hybrid Azure AD Join' : '',
    AadDeviceId: domainJoined ? fakeHash(`aad:${device.deviceId}`, 32) : '',
    LoggedOnUsers: JSON.stringify(users.map((u) => ({ UserName: u.name, DomainName: u.domain.toUpperCase(), Sid: u.sid }))),
    OSVersion: '10.0',
    MachineGroup: domainJoined ? MACHINE_GROUPS[device.role] : 'UnassignedGroup',
    ReportId: context.reportId,
    OnboardingStatus: 'Onboarded',
    DeviceCategory: 'Endpoint',
    DeviceType: server ? 'Server' : 'Workstation',
    OSVersionInfo: os.info,
    IsInternetFacing: false,
    SensorHealthState: 'Active',
    IsExcluded: false,
    ExposureLevel: report.exposureLevel ?? exposure,
    AssetValue: server ? 'High' : 'Normal',
    DeviceManualTags: JSON.stringify(report.manualTags ?? []),
    ConnectivityType: 'Streamlined',
  });
}
