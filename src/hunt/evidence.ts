/**
 * The evidence of one tool on one device, typed and bounded, from the rows of the queries of
 * `evidence-queries.ts`: the tool's binaries (with their signature and prevalence), its process
 * starts, its connections (with the instance each goes to and that URL's prevalence), and the
 * device's context. Every list says how much was cut (`more`), every text is clipped, and all of
 * it is telemetry an attacker may have written: views show it as literal text.
 */
import type { QueryResult } from '../backends/backend';
import { ResultShapeError } from './finding';
import { instanceHost } from './evidence-instances';
import { buildEvidenceQueries, type EvidenceQueryOptions, type EvidenceSpec } from './evidence-queries';
import { bounded, clip, RowReader, section, type Bounded, type Row, type Section } from './evidence-values';

export { MAX_TEXT, type Bounded, type Section } from './evidence-values';

/** The certificate a device last reported for a binary. */
export interface Signature {
  readonly signer: string;
  readonly issuer: string;
  readonly isSigned: boolean | null;
  readonly isTrusted: boolean | null;
  readonly expires: Date | null;
}

/** One binary of the tool on the device. */
export interface BinaryEvidence {
  readonly sha1: string;
  readonly fileNames: Bounded<string>;
  /** Full paths, as Defender's `FolderPath` gives them. */
  readonly folderPaths: Bounded<string>;
  /** Where the file was downloaded from (`FileOriginUrl`), when a file event says. */
  readonly originUrls: Bounded<string>;
  /** Absent when the device reported no certificate for it in the window. */
  readonly signature?: Signature;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Events naming it on the device (certificate checks, process starts, file events, connections). */
  readonly count: number;
  /** Devices of the organisation where it was seen in the window. */
  readonly deviceCount: number | null;
}

/** Process starts of one image in one context. */
export interface ProcessEvidence {
  readonly fileName: string;
  readonly folderPath: string;
  readonly sha1: string;
  /** `DOMAIN\name`, or the name alone. */
  readonly account: string;
  /** The process that started it (`InitiatingProcessFileName`). */
  readonly parent: string;
  readonly commandLines: Bounded<string>;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
}

/** Connections to one remote end by one process. */
export interface ConnectionEvidence {
  /** `RemoteUrl` as recorded; empty for a connection to a bare address. */
  readonly remoteUrl: string;
  /** The instance: the host of `remoteUrl` (lower case), else the first remote address. */
  readonly instance: string;
  readonly remotePort: number | null;
  readonly remoteIPs: Bounded<string>;
  readonly process: string;
  readonly processSha1: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
  /** Devices of the organisation that connected to the same URL in the window (null without a URL). */
  readonly deviceCount: number | null;
}

/** The device's latest `DeviceInfo` report. */
export interface DeviceContext {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly reportedAt: Date;
  readonly osPlatform: string;
  readonly osVersion: string;
  readonly deviceType: string;
  readonly machineGroup: string;
  readonly exposureLevel: string;
  readonly publicIp: string;
  /** `DOMAIN\user` of each logged-on user. */
  readonly loggedOnUsers: Bounded<string>;
  readonly onboardingStatus: string;
}

/** An instance the device talks to, over the connections shown. */
export interface InstanceSummary {
  readonly instance: string;
  /** Devices of the organisation that talk to it (the largest count among its URLs), if known. */
  readonly deviceCount: number | null;
  readonly lastSeen: Date;
}

/** Everything Details shows about a tool on a device. */
export interface Evidence {
  /** Absent for a tool without binaries (see `evidence-queries.ts`). */
  readonly files?: Section<BinaryEvidence>;
  readonly processes?: Section<ProcessEvidence>;
  readonly network: Section<ConnectionEvidence>;
  /** Absent when the data has no `DeviceInfo` report for the device in the window. */
  readonly device?: DeviceContext;
  /** The instances of the connections shown, most recently seen first. */
  readonly instances: readonly InstanceSummary[];
}

/** The results of the queries of {@link import('./evidence-queries').EvidenceQueries}, by the same names. */
export interface EvidenceResults {
  readonly files?: QueryResult;
  readonly processes?: QueryResult;
  readonly network: QueryResult;
  readonly device: QueryResult;
}

/** The most values kept of a set read from text (logged-on users). */
const USERS_KEPT = 5;

/** The rows of the files query. */
export function binariesFromResult(result: QueryResult): Section<BinaryEvidence> {
  return section(result.rows, (row) => {
    const signer = row.optionalText('Signer');
    const issuer = row.optionalText('Issuer');
    const isSigned = row.optionalBool('IsSigned');
    const isTrusted = row.optionalBool('IsTrusted');
    const expires = row.optionalTime('CertificateExpirationTime');
    const reported = signer !== '' || issuer !== '' || isSigned !== null || isTrusted !== null || expires !== null;
    return {
      sha1: row.text('SHA1'),
      fileNames: row.set('FileNames', 'FileNameCount'),
      folderPaths: row.set('FolderPaths', 'FolderPathCount'),
      originUrls: row.set('OriginUrls', 'OriginUrlCount'),
      ...(reported ? { signature: { signer, issuer, isSigned, isTrusted, expires } } : {}),
      firstSeen: row.time('FirstSeen'),
      lastSeen: row.time('LastSeen'),
      count: row.number('Count'),
      deviceCount: row.optionalNumber('DeviceCount'),
    };
  });
}

/** The rows of the processes query. */
export function processesFromResult(result: QueryResult): Section<ProcessEvidence> {
  return section(result.rows, (row) => {
    const domain = row.text('AccountDomain');
    const name = row.text('AccountName');
    return {
      fileName: row.text('FileName'),
      folderPath: row.text('FolderPath'),
      sha1: row.text('SHA1'),
      account: clip(domain && name ? `${domain}\\${name}` : name || domain),
      parent: row.text('InitiatingProcessFileName'),
      commandLines: row.set('CommandLines', 'CommandLineCount'),
      firstSeen: row.time('FirstSeen'),
      lastSeen: row.time('LastSeen'),
      count: row.number('Count'),
    };
  });
}

/** The rows of the network query. */
export function connectionsFromResult(result: QueryResult): Section<ConnectionEvidence> {
  return section(result.rows, (row) => {
    const remoteUrl = row.text('RemoteUrl');
    const remoteIPs = row.set('RemoteIPs', 'RemoteIPCount');
    return {
      remoteUrl,
      instance: instanceHost(remoteUrl || (remoteIPs.values[0] ?? '')),
      remotePort: row.optionalNumber('RemotePort'),
      remoteIPs,
      process: row.text('InitiatingProcessFileName'),
      processSha1: row.text('InitiatingProcessSHA1'),
      firstSeen: row.time('FirstSeen'),
      lastSeen: row.time('LastSeen'),
      count: row.number('Count'),
      deviceCount: row.optionalNumber('DeviceCount'),
    };
  });
}

/** `DOMAIN\user` of each entry of `LoggedOnUsers` (JSON text: `[{"UserName", "DomainName", ...}]`), bounded. */
export function loggedOnUsers(text: string): Bounded<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return bounded([], 0);
  }
  if (!Array.isArray(parsed)) return bounded([], 0);
  const users = new Set<string>();
  for (const entry of parsed) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { UserName: user, DomainName: domain } = entry as { UserName?: unknown; DomainName?: unknown };
    if (typeof user !== 'string' || user === '') continue;
    users.add(clip(typeof domain === 'string' && domain !== '' ? `${domain}\\${user}` : user));
  }
  return bounded([...users].slice(0, USERS_KEPT), users.size);
}

function deviceOf(first: Row, index: number): DeviceContext {
  const row = new RowReader(first, index);
  return {
    deviceId: row.text('DeviceId'),
    deviceName: row.text('DeviceName'),
    reportedAt: row.time('LastSeen'),
    osPlatform: row.text('OSPlatform'),
    osVersion: row.text('OSVersion'),
    deviceType: row.text('DeviceType'),
    machineGroup: row.text('MachineGroup'),
    exposureLevel: row.text('ExposureLevel'),
    publicIp: row.text('PublicIP'),
    loggedOnUsers: loggedOnUsers(typeof first.LoggedOnUsers === 'string' ? first.LoggedOnUsers : ''),
    onboardingStatus: row.text('OnboardingStatus'),
  };
}

/** The row of the device query, if any. */
export function deviceFromResult(result: QueryResult): DeviceContext | undefined {
  if (result.rows.length > 1) throw new ResultShapeError(`the device context has ${result.rows.length} rows, not at most 1`);
  const first = result.rows[0];
  return first ? deviceOf(first, 0) : undefined;
}

/** The rows of the query of the devices a name names, most recently reported first. */
export function devicesFromResult(result: QueryResult): DeviceContext[] {
  return result.rows.map(deviceOf).sort((a, b) => b.reportedAt.getTime() - a.reportedAt.getTime());
}

/** The instances of `connections`, each once, most recently seen first. */
export function instancesOf(connections: readonly ConnectionEvidence[]): InstanceSummary[] {
  const byInstance = new Map<string, { deviceCount: number | null; lastSeen: Date }>();
  for (const c of connections) {
    if (c.instance === '') continue;
    const seen = byInstance.get(c.instance);
    const counts = [seen?.deviceCount, c.deviceCount].filter((n): n is number => typeof n === 'number');
    const deviceCount = counts.length > 0 ? Math.max(...counts) : null;
    const lastSeen = seen && seen.lastSeen > c.lastSeen ? seen.lastSeen : c.lastSeen;
    byInstance.set(c.instance, { deviceCount, lastSeen });
  }
  return [...byInstance].map(([instance, s]) => ({ instance, ...s })).sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.instance.localeCompare(b.instance));
}

/** The evidence from the results of every query of a Details view. */
export function evidenceFromResults(results: EvidenceResults): Evidence {
  const network = connectionsFromResult(results.network);
  const device = deviceFromResult(results.device);
  return {
    ...(results.files ? { files: binariesFromResult(results.files) } : {}),
    ...(results.processes ? { processes: processesFromResult(results.processes) } : {}),
    network,
    ...(device ? { device } : {}),
    instances: instancesOf(network.rows),
  };
}

/** Runs one query (a backend's `run` with the window, signal and queue callback bound). */
export type RunQuery = (kql: string) => Promise<QueryResult>;

/**
 * The evidence of `spec`: builds its queries, runs them together through `run` (a backend's
 * concurrency cap queues them) and reads the results. Rejects as the first failing query does, or
 * with a {@link ResultShapeError} for rows not shaped as promised.
 */
export async function gatherEvidence(spec: EvidenceSpec, options: EvidenceQueryOptions, run: RunQuery): Promise<Evidence> {
  const queries = buildEvidenceQueries(spec, options);
  const [files, processes, network, device] = await Promise.all([
    queries.files === undefined ? undefined : run(queries.files),
    queries.processes === undefined ? undefined : run(queries.processes),
    run(queries.network),
    run(queries.device),
  ]);
  return evidenceFromResults({ ...(files ? { files } : {}), ...(processes ? { processes } : {}), network, device });
}
