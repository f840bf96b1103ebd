/**
 * The Defender XDR advanced hunting tables the RMM hunts query, with every column Microsoft
 * documents and its Kusto type, in the documented order. Source: the "... table in the advanced
 * hunting schema" pages of Microsoft Defender XDR (github.com/MicrosoftDocs/defender-docs,
 * `defender-xdr/advanced-hunting-{devicefilecertificateinfo,deviceprocessevents,devicenetworkevents}-table.md`).
 * The documentation types `AdditionalFields` and `CrlDistributionPointUrls` as `string` holding
 * JSON text, and `IsRootSignerMicrosoft` as `boolean` (Kusto's alias of `bool`).
 */
import type { TableSchema } from './table';
import type { KustoType } from './types';

function schema(columns: ReadonlyArray<readonly [string, KustoType]>): TableSchema {
  return Object.freeze(columns.map(([name, type]) => Object.freeze({ name, type })));
}

const DEVICE_FILE_CERTIFICATE_INFO = schema([
  ['Timestamp', 'datetime'],
  ['DeviceId', 'string'],
  ['DeviceName', 'string'],
  ['SHA1', 'string'],
  ['IsSigned', 'bool'],
  ['SignatureType', 'string'],
  ['Signer', 'string'],
  ['SignerHash', 'string'],
  ['Issuer', 'string'],
  ['IssuerHash', 'string'],
  ['CertificateSerialNumber', 'string'],
  ['CrlDistributionPointUrls', 'string'],
  ['CertificateCreationTime', 'datetime'],
  ['CertificateExpirationTime', 'datetime'],
  ['CertificateCountersignatureTime', 'datetime'],
  ['IsTrusted', 'bool'],
  ['IsRootSignerMicrosoft', 'bool'],
  ['ReportId', 'long'],
]);

const DEVICE_PROCESS_EVENTS = schema([
  ['Timestamp', 'datetime'],
  ['DeviceId', 'string'],
  ['DeviceName', 'string'],
  ['ActionType', 'string'],
  ['FileName', 'string'],
  ['FolderPath', 'string'],
  ['SHA1', 'string'],
  ['SHA256', 'string'],
  ['MD5', 'string'],
  ['FileSize', 'long'],
  ['ProcessVersionInfoCompanyName', 'string'],
  ['ProcessVersionInfoProductName', 'string'],
  ['ProcessVersionInfoProductVersion', 'string'],
  ['ProcessVersionInfoInternalFileName', 'string'],
  ['ProcessVersionInfoOriginalFileName', 'string'],
  ['ProcessVersionInfoFileDescription', 'string'],
  ['ProcessId', 'long'],
  ['ProcessCommandLine', 'string'],
  ['ProcessIntegrityLevel', 'string'],
  ['ProcessTokenElevation', 'string'],
  ['ProcessCreationTime', 'datetime'],
  ['AccountDomain', 'string'],
  ['AccountName', 'string'],
  ['AccountSid', 'string'],
  ['AccountUpn', 'string'],
  ['AccountObjectId', 'string'],
  ['LogonId', 'long'],
  ['InitiatingProcessAccountDomain', 'string'],
  ['InitiatingProcessAccountName', 'string'],
  ['InitiatingProcessAccountSid', 'string'],
  ['InitiatingProcessAccountUpn', 'string'],
  ['InitiatingProcessAccountObjectId', 'string'],
  ['InitiatingProcessLogonId', 'long'],
  ['InitiatingProcessIntegrityLevel', 'string'],
  ['InitiatingProcessTokenElevation', 'string'],
  ['InitiatingProcessSHA1', 'string'],
  ['InitiatingProcessSHA256', 'string'],
  ['InitiatingProcessMD5', 'string'],
  ['InitiatingProcessFileName', 'string'],
  ['InitiatingProcessFileSize', 'long'],
  ['InitiatingProcessVersionInfoCompanyName', 'string'],
  ['InitiatingProcessVersionInfoProductName', 'string'],
  ['InitiatingProcessVersionInfoProductVersion', 'string'],
  ['InitiatingProcessVersionInfoInternalFileName', 'string'],
  ['InitiatingProcessVersionInfoOriginalFileName', 'string'],
  ['InitiatingProcessVersionInfoFileDescription', 'string'],
  ['InitiatingProcessId', 'long'],
  ['InitiatingProcessCommandLine', 'string'],
  ['InitiatingProcessCreationTime', 'datetime'],
  ['InitiatingProcessFolderPath', 'string'],
  ['InitiatingProcessParentId', 'long'],
  ['InitiatingProcessParentFileName', 'string'],
  ['InitiatingProcessParentCreationTime', 'datetime'],
  ['InitiatingProcessSignerType', 'string'],
  ['InitiatingProcessSignatureStatus', 'string'],
  ['ReportId', 'long'],
  ['AppGuardContainerId', 'string'],
  ['AdditionalFields', 'string'],
  ['InitiatingProcessSessionId', 'long'],
  ['IsInitiatingProcessRemoteSession', 'bool'],
  ['InitiatingProcessRemoteSessionDeviceName', 'string'],
  ['InitiatingProcessRemoteSessionIP', 'string'],
  ['CreatedProcessSessionId', 'long'],
  ['IsProcessRemoteSession', 'bool'],
  ['ProcessRemoteSessionDeviceName', 'string'],
  ['ProcessRemoteSessionIP', 'string'],
]);

const DEVICE_NETWORK_EVENTS = schema([
  ['Timestamp', 'datetime'],
  ['DeviceId', 'string'],
  ['DeviceName', 'string'],
  ['ActionType', 'string'],
  ['RemoteIP', 'string'],
  ['RemotePort', 'int'],
  ['RemoteUrl', 'string'],
  ['LocalIP', 'string'],
  ['LocalPort', 'int'],
  ['Protocol', 'string'],
  ['LocalIPType', 'string'],
  ['RemoteIPType', 'string'],
  ['InitiatingProcessSHA1', 'string'],
  ['InitiatingProcessSHA256', 'string'],
  ['InitiatingProcessMD5', 'string'],
  ['InitiatingProcessFileName', 'string'],
  ['InitiatingProcessFileSize', 'long'],
  ['InitiatingProcessVersionInfoCompanyName', 'string'],
  ['InitiatingProcessVersionInfoProductName', 'string'],
  ['InitiatingProcessVersionInfoProductVersion', 'string'],
  ['InitiatingProcessVersionInfoInternalFileName', 'string'],
  ['InitiatingProcessVersionInfoOriginalFileName', 'string'],
  ['InitiatingProcessVersionInfoFileDescription', 'string'],
  ['InitiatingProcessId', 'long'],
  ['InitiatingProcessCommandLine', 'string'],
  ['InitiatingProcessCreationTime', 'datetime'],
  ['InitiatingProcessFolderPath', 'string'],
  ['InitiatingProcessParentFileName', 'string'],
  ['InitiatingProcessParentId', 'long'],
  ['InitiatingProcessParentCreationTime', 'datetime'],
  ['InitiatingProcessAccountDomain', 'string'],
  ['InitiatingProcessAccountName', 'string'],
  ['InitiatingProcessAccountSid', 'string'],
  ['InitiatingProcessAccountUpn', 'string'],
  ['InitiatingProcessAccountObjectId', 'string'],
  ['InitiatingProcessIntegrityLevel', 'string'],
  ['InitiatingProcessTokenElevation', 'string'],
  ['ReportId', 'long'],
  ['AppGuardContainerId', 'string'],
  ['AdditionalFields', 'string'],
  ['InitiatingProcessSessionId', 'long'],
  ['IsInitiatingProcessRemoteSession', 'bool'],
  ['InitiatingProcessRemoteSessionDeviceName', 'string'],
  ['InitiatingProcessRemoteSessionIP', 'string'],
]);

/** The tables with a documented Defender schema. */
export type DefenderTableName = 'DeviceFileCertificateInfo' | 'DeviceProcessEvents' | 'DeviceNetworkEvents';

/** Column names and Kusto types of the Defender tables, as Microsoft documents them. */
export const DEFENDER_SCHEMAS: Readonly<Record<DefenderTableName, TableSchema>> = Object.freeze({
  DeviceFileCertificateInfo: DEVICE_FILE_CERTIFICATE_INFO,
  DeviceProcessEvents: DEVICE_PROCESS_EVENTS,
  DeviceNetworkEvents: DEVICE_NETWORK_EVENTS,
});

/** The documented schema of a Defender table, or `undefined` for another name (case-sensitive). */
export function defenderSchema(table: string): TableSchema | undefined {
  return Object.prototype.hasOwnProperty.call(DEFENDER_SCHEMAS, table) ? DEFENDER_SCHEMAS[table as DefenderTableName] : undefined;
}
