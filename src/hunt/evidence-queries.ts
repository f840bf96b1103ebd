/**
 * The evidence behind a finding: what one RMM tool left on one device over a window, as the
 * queries the Details view runs (the rows are read by `evidence.ts`). Every query is made from
 * the escaping builder's fragments; tool strings come from the catalog, the device is bound by its
 * `DeviceId`; telemetry text never enters a query.
 *
 * **The tool's binaries** are the SHA-1s of files signed by the tool's signers and of processes its
 * process hunt matches, within the window, anywhere in the organisation (the public DWService
 * rules' `rmmInitialFileSet` idea). On the device they are followed through every table that names
 * a SHA-1 (certificates, process starts, file events, the initiating process of connections).
 * A tool whose catalog entry has neither a signer nor a process hunt has no binaries: only its
 * network evidence exists.
 *
 * Every set is bounded (`make_set(x, N)` beside a distinct count of all its values) and every
 * list of rows keeps the most recently seen (`top N by LastSeen`) with a `Total` of all rows.
 */
import type { Dialect } from '../backends/backend';
import type { HuntClause, RmmTool } from './catalog';
import {
  capped,
  filterClauses,
  kqlString,
  KqlLiteralError,
  SignedFileSets,
  timeColumn,
  timeRangeFilter,
  timeRangeLets,
} from './kql-builder';
import type { HuntWindow } from './window';

/** One tool's evidence on one device. */
export interface EvidenceSpec {
  readonly tool: RmmTool;
  /** The device's Defender `DeviceId` (names change and can be chosen by an attacker; ids cannot). */
  readonly deviceId: string;
  readonly window: HuntWindow;
}

/** How the evidence queries are built and bounded. */
export interface EvidenceQueryOptions {
  /** The time column of the backend's tables. */
  readonly dialect: Dialect;
  /** Rows kept per section (binaries, processes, connections), the most recently seen. Default {@link DEFAULT_EVIDENCE_ROWS}. */
  readonly rows?: number;
  /** Values kept per set inside a row (paths, command lines, addresses). Default {@link DEFAULT_EVIDENCE_VALUES}. */
  readonly values?: number;
}

/** The queries of one Details view. `files` and `processes` exist only for tools that have binaries (see above). */
export interface EvidenceQueries {
  readonly files?: string;
  readonly processes?: string;
  readonly network: string;
  readonly device: string;
}

/** Rows per evidence section unless asked otherwise. */
export const DEFAULT_EVIDENCE_ROWS = 10;
/** Values per bounded set unless asked otherwise. */
export const DEFAULT_EVIDENCE_VALUES = 5;
/** The largest bounded set a query may ask for. */
export const MAX_EVIDENCE_VALUES = 1000;

/** The `let` holding the SHA-1s of the tool's binaries. */
export const TOOL_FILES = 'rmmToolFiles';

/** A whole number from 1 to `max`, else a {@link KqlLiteralError} naming `what`. */
export function boundOf(value: number | undefined, fallback: number, max: number, what: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new KqlLiteralError(`${what} must be a whole number from 1 to ${max}`);
  return n;
}

/** `| where DeviceId == '<id>'`. */
export function deviceIdFilter(deviceId: string): string {
  if (deviceId.trim() === '') throw new KqlLiteralError('the device id is empty');
  return `| where DeviceId == ${kqlString(deviceId)}`;
}

/**
 * What identifies the tool: the `let` of its binaries (absent when it has none), the network
 * hunt's condition (absent without one), and the process hunt's condition (absent without one).
 * The file sets that `signedBy` predicates need are declared first. Every catalog tool has
 * binaries or a network hunt, so its connections can always be told.
 */
export interface ToolIdentity {
  readonly lets: readonly string[];
  readonly hasFiles: boolean;
  readonly network?: string;
  readonly process?: string;
}

/** The {@link ToolIdentity} of `tool` in `dialect`. */
export function toolIdentity(tool: RmmTool, dialect: Dialect): ToolIdentity {
  const fileSets = new SignedFileSets();
  const condition = (filter: readonly HuntClause[]): string => `(${filterClauses(filter, fileSets).join(' and ')})`;
  const legs: string[] = [];
  if (tool.fileSignature?.signers.length) {
    legs.push(`    (DeviceFileCertificateInfo ${timeRangeFilter(dialect)} | where ${condition([[{ column: 'Signer', op: 'has', values: tool.fileSignature.signers }]])} | project SHA1)`);
  }
  const process = tool.process?.filter.length ? condition(tool.process.filter) : undefined;
  if (process) legs.push(`    (DeviceProcessEvents ${timeRangeFilter(dialect)} | where ${process} | project SHA1)`);
  const network = tool.network?.filter.length ? condition(tool.network.filter) : undefined;
  if (legs.length === 0 && !network) throw new Error(`${tool.id} has neither binaries nor a network hunt`);
  const files = legs.length === 0 ? [] : [`let ${TOOL_FILES} = union`, legs.join(',\n'), '    | where isnotempty(SHA1)', '    | distinct SHA1;'];
  return { lets: [...fileSets.lets(dialect), ...files], hasFiles: legs.length > 0, ...(network ? { network } : {}), ...(process ? { process } : {}) };
}

/** The tables that name a file by SHA-1, and how each names the file, its path and where it came from. */
const SIGHTING_LEGS: ReadonlyArray<{ readonly table: string; readonly sha1: string; readonly fileName: string; readonly folderPath: string; readonly originUrl: string }> = [
  { table: 'DeviceFileCertificateInfo', sha1: 'SHA1', fileName: "''", folderPath: "''", originUrl: "''" },
  { table: 'DeviceProcessEvents', sha1: 'SHA1', fileName: 'FileName', folderPath: 'FolderPath', originUrl: "''" },
  { table: 'DeviceFileEvents', sha1: 'SHA1', fileName: 'FileName', folderPath: 'FolderPath', originUrl: 'FileOriginUrl' },
  { table: 'DeviceNetworkEvents', sha1: 'InitiatingProcessSHA1', fileName: 'InitiatingProcessFileName', folderPath: 'InitiatingProcessFolderPath', originUrl: "''" },
];

function named(name: string, value: string): string {
  return value === name ? name : `${name} = ${value}`;
}

/**
 * The binaries of the tool on the device, one row each: `SHA1, FirstSeen, LastSeen, Count` (events
 * naming it on the device), `FileNames`/`FileNameCount`, `FolderPaths`/`FolderPathCount`,
 * `OriginUrls`/`OriginUrlCount` (bounded sets and their distinct counts), the certificate the
 * device last reported for it (`Signer, Issuer, IsSigned, IsTrusted, CertificateExpirationTime`;
 * empty or null when none), `DeviceCount` (devices of the organisation where it was seen in the
 * window) and `Total` (binaries in all). `undefined` for a tool without binaries.
 */
export function buildFileEvidenceQuery(spec: EvidenceSpec, options: EvidenceQueryOptions): string | undefined {
  const identity = toolIdentity(spec.tool, options.dialect);
  if (!identity.hasFiles) return undefined;
  const time = timeColumn(options.dialect);
  const values = boundOf(options.values, DEFAULT_EVIDENCE_VALUES, MAX_EVIDENCE_VALUES, 'the values per set');
  const device = deviceIdFilter(spec.deviceId);
  const range = timeRangeFilter(options.dialect);
  const sightings = SIGHTING_LEGS.map(
    (leg) =>
      `    (${leg.table} ${range} ${device} | where ${leg.sha1} in (${TOOL_FILES}) | project ${time}, ${named('SHA1', leg.sha1)}, ${named('FileName', leg.fileName)}, ${named('FolderPath', leg.folderPath)}, ${named('FileOriginUrl', leg.originUrl)})`,
  );
  const prevalence = SIGHTING_LEGS.map((leg) => `    (${leg.table} ${range} | where ${leg.sha1} in (rmmDeviceFiles) | project ${named('SHA1', leg.sha1)}, DeviceId)`);
  const bounded = (name: string, column: string): string =>
    `${name}s = make_set_if(${column}, isnotempty(${column}), ${values}), ${name}Count = dcountif(${column}, isnotempty(${column}))`;
  const prelude = [
    ...timeRangeLets(spec.window),
    ...identity.lets,
    'let rmmSightings = union',
    `${sightings.join(',\n')};`,
    'let rmmDeviceFiles = rmmSightings | distinct SHA1;',
    `let rmmCertificates = DeviceFileCertificateInfo ${range} ${device} | where SHA1 in (rmmDeviceFiles)`,
    `    | summarize arg_max(${time}, Signer, Issuer, IsSigned, IsTrusted, CertificateExpirationTime) by SHA1`,
    `    | project-away ${time};`,
    'let rmmPrevalence = union',
    prevalence.join(',\n'),
    '    | summarize DeviceCount = dcount(DeviceId) by SHA1;',
  ];
  return capped(
    prelude,
    [
      'rmmSightings',
      `| summarize FirstSeen = min(${time}), LastSeen = max(${time}), Count = count(), ${bounded('FileName', 'FileName')}, ${bounded('FolderPath', 'FolderPath')}, ${bounded('OriginUrl', 'FileOriginUrl')} by SHA1`,
      '| lookup kind=leftouter rmmCertificates on SHA1',
      '| lookup kind=leftouter rmmPrevalence on SHA1',
    ],
    boundOf(options.rows, DEFAULT_EVIDENCE_ROWS, MAX_EVIDENCE_VALUES, 'the rows per section'),
  );
}

/**
 * The tool's process starts on the device, grouped by image and context: `FileName, FolderPath,
 * SHA1, AccountDomain, AccountName, InitiatingProcessFileName` (the parent), `FirstSeen, LastSeen,
 * Count`, `CommandLines`/`CommandLineCount`, `Total`. `undefined` for a tool without binaries.
 */
export function buildProcessEvidenceQuery(spec: EvidenceSpec, options: EvidenceQueryOptions): string | undefined {
  const identity = toolIdentity(spec.tool, options.dialect);
  if (!identity.hasFiles) return undefined;
  const time = timeColumn(options.dialect);
  const values = boundOf(options.values, DEFAULT_EVIDENCE_VALUES, MAX_EVIDENCE_VALUES, 'the values per set');
  const condition = [`SHA1 in (${TOOL_FILES})`, ...(identity.process ? [identity.process] : [])].join(' or ');
  return capped(
    [...timeRangeLets(spec.window), ...identity.lets],
    [
      'DeviceProcessEvents',
      timeRangeFilter(options.dialect),
      deviceIdFilter(spec.deviceId),
      `| where ${condition}`,
      `| summarize FirstSeen = min(${time}), LastSeen = max(${time}), Count = count(), CommandLines = make_set(ProcessCommandLine, ${values}), CommandLineCount = dcount(ProcessCommandLine) by FileName, FolderPath, SHA1, AccountDomain, AccountName, InitiatingProcessFileName`,
    ],
    boundOf(options.rows, DEFAULT_EVIDENCE_ROWS, MAX_EVIDENCE_VALUES, 'the rows per section'),
  );
}

/** The condition on `DeviceNetworkEvents` rows that are the tool's: made by its binaries, or matched by its network hunt. */
export function toolConnections(identity: ToolIdentity): string {
  const byFiles = identity.hasFiles ? `InitiatingProcessSHA1 in (${TOOL_FILES})` : undefined;
  return [byFiles, identity.network].filter((c): c is string => c !== undefined).join(' or ');
}

/**
 * The tool's connections from the device: `RemoteUrl, RemotePort, InitiatingProcessFileName,
 * InitiatingProcessSHA1, FirstSeen, LastSeen, Count`, `RemoteIPs`/`RemoteIPCount`, `DeviceCount`
 * (devices of the organisation that connected to that URL in the window; null without a URL),
 * `Total`.
 */
export function buildNetworkEvidenceQuery(spec: EvidenceSpec, options: EvidenceQueryOptions): string {
  const identity = toolIdentity(spec.tool, options.dialect);
  const time = timeColumn(options.dialect);
  const range = timeRangeFilter(options.dialect);
  const values = boundOf(options.values, DEFAULT_EVIDENCE_VALUES, MAX_EVIDENCE_VALUES, 'the values per set');
  return capped(
    [
      ...timeRangeLets(spec.window),
      ...identity.lets,
      `let rmmConnections = DeviceNetworkEvents ${range} ${deviceIdFilter(spec.deviceId)}`,
      `    | where ${toolConnections(identity)};`,
      'let rmmRemoteUrls = rmmConnections | where isnotempty(RemoteUrl) | distinct RemoteUrl;',
      `let rmmUrlPrevalence = DeviceNetworkEvents ${range} | where RemoteUrl in (rmmRemoteUrls)`,
      '    | summarize DeviceCount = dcount(DeviceId) by RemoteUrl;',
    ],
    [
      'rmmConnections',
      `| summarize FirstSeen = min(${time}), LastSeen = max(${time}), Count = count(), RemoteIPs = make_set(RemoteIP, ${values}), RemoteIPCount = dcount(RemoteIP) by RemoteUrl, RemotePort, InitiatingProcessFileName, InitiatingProcessSHA1`,
      '| lookup kind=leftouter rmmUrlPrevalence on RemoteUrl',
    ],
    boundOf(options.rows, DEFAULT_EVIDENCE_ROWS, MAX_EVIDENCE_VALUES, 'the rows per section'),
  );
}

/**
 * The device's latest full `DeviceInfo` report in the window (`arg_max`): `LastSeen, DeviceId,
 * DeviceName, OSPlatform, OSVersion, DeviceType, MachineGroup, ExposureLevel, PublicIP,
 * LoggedOnUsers` (JSON text, as Defender documents it; `tostring` of Sentinel's dynamic),
 * `OnboardingStatus`. No row when the data has no report.
 */
export function buildDeviceContextQuery(spec: Pick<EvidenceSpec, 'deviceId' | 'window'>, options: Pick<EvidenceQueryOptions, 'dialect'>): string {
  const time = timeColumn(options.dialect);
  return [
    ...timeRangeLets(spec.window),
    'DeviceInfo',
    timeRangeFilter(options.dialect),
    deviceIdFilter(spec.deviceId),
    '| where isnotempty(OSPlatform)',
    `| summarize arg_max(${time}, *) by DeviceId`,
    `| project LastSeen = ${time}, DeviceId, DeviceName, OSPlatform, OSVersion, DeviceType, MachineGroup, ExposureLevel, PublicIP, LoggedOnUsers = tostring(LoggedOnUsers), OnboardingStatus`,
  ].join('\n');
}

/** Every query of one Details view. */
export function buildEvidenceQueries(spec: EvidenceSpec, options: EvidenceQueryOptions): EvidenceQueries {
  const files = buildFileEvidenceQuery(spec, options);
  const processes = buildProcessEvidenceQuery(spec, options);
  return {
    ...(files !== undefined ? { files } : {}),
    ...(processes !== undefined ? { processes } : {}),
    network: buildNetworkEvidenceQuery(spec, options),
    device: buildDeviceContextQuery(spec, options),
  };
}
