/**
 * Rows of the Defender event tables (the file events and device reports of the evidence tables
 * are made in `data-rows-evidence.ts`), every documented column present in the documented order
 * (`DEFENDER_SCHEMAS`): strings empty when Defender has nothing to say, other types null.
 * Datetimes are ISO 8601 UTC text; `AdditionalFields` and `CrlDistributionPointUrls` are JSON
 * text, as the schema types them (`string`).
 */
import { createHash } from 'node:crypto';
import { DEFENDER_SCHEMAS, type DefenderTableName } from '../src/kql/schemas';
import { SYSTEM_ACCOUNT, type Account, type Device } from './data-devices';
import type { SeededRandom } from './data-random';

/** A row: column name to JSON value, keys in schema order. */
export type Row = Record<string, string | number | boolean | null>;

/** A program as a row needs it: file, version information and signature. */
export interface Program {
  readonly fileName: string;
  readonly folder: string;
  readonly company: string;
  readonly product: string;
  readonly description: string;
  readonly version: string;
  readonly signer: string;
  readonly issuer: string;
  readonly microsoftRoot?: boolean;
  readonly catalogSigned?: boolean;
}

/** What every row of an event knows. */
export interface EventContext {
  readonly device: Device;
  readonly time: Date;
  readonly reportId: number;
}

/** A stable fake hash of some text: hex digits of SHA-256, cut to `length`. */
export function fakeHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** The SHA-1 Defender reports for a program's file (the same program, the same file, everywhere). */
export function fileSha1(program: Program): string {
  return fakeHash(`file:${program.folder}${program.fileName}:${program.version}:${program.signer}`, 40);
}

/** Fills a row of `table` from `fields` in schema order; a field that is not a column is a bug. */
export function shapeRow(table: DefenderTableName, fields: Readonly<Row>): Row {
  const row: Row = {};
  for (const column of DEFENDER_SCHEMAS[table]) row[column.name] = column.name in fields ? fields[column.name]! : column.type === 'string' ? '' : null;
  for (const name of Object.keys(fields)) {
    if (!(name in row)) throw new Error(`${table} has no column ${name}`);
  }
  return row;
}

/** ISO 8601 UTC text of a time. */
export function iso(time: Date): string {
  return time.toISOString();
}

function certificateDates(program: Program): { created: string; expires: string } {
  const year = 2021 + (parseInt(fakeHash(program.signer, 2), 16) % 3);
  return { created: `${year}-0${1 + (parseInt(fakeHash(program.issuer, 1), 16) % 9)}-15T00:00:00.000Z`, expires: `${year + 3}-06-14T23:59:59.000Z` };
}

/** A `DeviceFileCertificateInfo` row: the certificate of a program's file seen on a device. */
export function certificateRow(context: EventContext, program: Program, random: SeededRandom): Row {
  const { created, expires } = certificateDates(program);
  const countersigned = new Date(Date.parse(created) + random.int(30, 700) * 86_400_000);
  return shapeRow('DeviceFileCertificateInfo', {
    Timestamp: iso(context.time),
    DeviceId: context.device.deviceId,
    DeviceName: context.device.deviceName,
    SHA1: fileSha1(program),
    IsSigned: true,
    SignatureType: program.catalogSigned ? 'Catalog' : 'Embedded',
    Signer: program.signer,
    SignerHash: fakeHash(`signer:${program.signer}`, 40),
    Issuer: program.issuer,
    IssuerHash: fakeHash(`issuer:${program.issuer}`, 40),
    CertificateSerialNumber: fakeHash(`serial:${program.signer}:${program.issuer}`, 32),
    CrlDistributionPointUrls: JSON.stringify([`http://crl.${program.issuer.split(' ')[0]!.toLowerCase()}.example/${fakeHash(program.issuer, 8)}.crl`]),
    CertificateCreationTime: created,
    CertificateExpirationTime: expires,
    CertificateCountersignatureTime: iso(countersigned),
    IsTrusted: true,
    IsRootSignerMicrosoft: program.microsoftRoot ?? false,
    ReportId: context.reportId,
  });
}

/** `services.exe`, the parent of services. */
export const PARENT: Program = {
  fileName: 'services.exe',
  folder: 'C:\\Windows\\System32\\',
  company: 'Microsoft Corporation',
  product: 'Microsoft® Windows® Operating System',
  description: 'Services and Controller app',
  version: '10.0.22621.3527',
  signer: 'Microsoft Windows Publisher',
  issuer: 'Microsoft Windows Production PCA 2011',
};
/** `explorer.exe`, the parent of what a user starts. */
export const USER_PARENT: Program = { ...PARENT, fileName: 'explorer.exe', folder: 'C:\\Windows\\', description: 'Windows Explorer', version: '10.0.22621.3672' };

/** Whether a program runs as a service (under SYSTEM, started by services.exe) or in the user's session. */
function runsAsService(program: Program): boolean {
  return /service|agent|svchost|msmpeng|container|falcon|vmtools|rtkaud/i.test(`${program.fileName} ${program.description}`);
}

/** The columns describing a process: its own (`prefix` empty) or the initiating process's. */
export function processFields(prefix: '' | 'InitiatingProcess', program: Program, account: Account, processId: number, created: Date): Row {
  const file = prefix === '' ? 'File' : 'InitiatingProcessFile';
  const hash = prefix;
  const process = prefix === '' ? 'Process' : 'InitiatingProcess';
  const owner = prefix === '' ? 'Account' : 'InitiatingProcessAccount';
  const sha1 = fileSha1(program);
  const path = `${program.folder}${program.fileName}`;
  const system = account === SYSTEM_ACCOUNT;
  return {
    [`${hash}SHA1`]: sha1,
    [`${hash}SHA256`]: fakeHash(`sha256:${sha1}`, 64),
    [`${hash}MD5`]: fakeHash(`md5:${sha1}`, 32),
    [`${file}Name`]: program.fileName,
    [`${prefix}FolderPath`]: path,
    [`${file}Size`]: 200_000 + (parseInt(sha1.slice(0, 6), 16) % 40_000_000),
    [`${process}VersionInfoCompanyName`]: program.company,
    [`${process}VersionInfoProductName`]: program.product,
    [`${process}VersionInfoProductVersion`]: program.version,
    [`${process}VersionInfoInternalFileName`]: program.fileName.replace(/\.exe$/i, ''),
    [`${process}VersionInfoOriginalFileName`]: program.fileName,
    [`${process}VersionInfoFileDescription`]: program.description,
    [`${process}Id`]: processId,
    [`${process}CommandLine`]: runsAsService(program) ? `"${path}" --service` : `"${path}"`,
    [`${process}IntegrityLevel`]: system ? 'System' : 'Medium',
    [`${process}TokenElevation`]: system ? 'TokenElevationTypeDefault' : 'TokenElevationTypeLimited',
    [`${process}CreationTime`]: iso(created),
    [`${owner}Domain`]: account.domain,
    [`${owner}Name`]: account.name,
    [`${owner}Sid`]: account.sid,
    [`${owner}Upn`]: account.upn,
    [`${owner}ObjectId`]: account.objectId,
  };
}

/** A `DeviceProcessEvents` row: a program started on a device. */
export function processRow(context: EventContext, program: Program, random: SeededRandom): Row {
  const service = runsAsService(program);
  const account = service ? SYSTEM_ACCOUNT : context.device.user;
  const parent = service ? PARENT : USER_PARENT;
  const parentCreated = new Date(context.time.getTime() - random.int(60, 86_400) * 1000);
  const fields: Row = {
    Timestamp: iso(context.time),
    DeviceId: context.device.deviceId,
    DeviceName: context.device.deviceName,
    ActionType: 'ProcessCreated',
    ...processFields('', program, account, random.int(1000, 65000), context.time),
    LogonId: account === SYSTEM_ACCOUNT ? 999 : random.int(100_000, 9_999_999),
    ...processFields('InitiatingProcess', parent, account, random.int(400, 9000), parentCreated),
    InitiatingProcessLogonId: account === SYSTEM_ACCOUNT ? 999 : random.int(100_000, 9_999_999),
    InitiatingProcessParentId: service ? 4 : random.int(400, 9000),
    InitiatingProcessParentFileName: service ? 'wininit.exe' : 'userinit.exe',
    InitiatingProcessParentCreationTime: iso(new Date(parentCreated.getTime() - random.int(60, 600_000) * 1000)),
    InitiatingProcessSignerType: 'OsVendor',
    InitiatingProcessSignatureStatus: 'Valid',
    ReportId: context.reportId,
    AdditionalFields: JSON.stringify({ ProcessStartKey: random.int(1, 2 ** 30) }),
    InitiatingProcessSessionId: service ? 0 : 1,
    IsInitiatingProcessRemoteSession: false,
    CreatedProcessSessionId: service ? 0 : 1,
    IsProcessRemoteSession: false,
  };
  return shapeRow('DeviceProcessEvents', fields);
}

/** A `DeviceNetworkEvents` row: a program on a device connected to a host. */
export function networkRow(context: EventContext, program: Program, url: string, random: SeededRandom): Row {
  const account = runsAsService(program) ? SYSTEM_ACCOUNT : context.device.user;
  const created = new Date(context.time.getTime() - random.int(5, 7200) * 1000);
  const process = processFields('InitiatingProcess', program, account, random.int(1000, 65000), created);
  const octets = fakeHash(`ip:${url}`, 6).match(/../g)!.map((h) => parseInt(h, 16));
  const remote = `${['192.0.2', '198.51.100', '203.0.113'][octets[0]! % 3]}.${1 + (octets[1]! % 254)}`;
  const fields: Row = {
    Timestamp: iso(context.time),
    DeviceId: context.device.deviceId,
    DeviceName: context.device.deviceName,
    ActionType: 'ConnectionSuccess',
    RemoteIP: remote,
    RemotePort: 443,
    RemoteUrl: url,
    LocalIP: context.device.ip,
    LocalPort: random.int(49152, 65535),
    Protocol: 'Tcp',
    LocalIPType: 'Private',
    RemoteIPType: 'Public',
    ...process,
    InitiatingProcessParentFileName: account === SYSTEM_ACCOUNT ? 'services.exe' : 'explorer.exe',
    InitiatingProcessParentId: random.int(400, 9000),
    InitiatingProcessParentCreationTime: iso(new Date(created.getTime() - random.int(60, 600_000) * 1000)),
    ReportId: context.reportId,
    AdditionalFields: '',
    InitiatingProcessSessionId: account === SYSTEM_ACCOUNT ? 0 : 1,
    IsInitiatingProcessRemoteSession: false,
  };
  return shapeRow('DeviceNetworkEvents', fields);
}
