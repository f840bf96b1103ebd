/**
 * Small in-memory tables for KQL engine tests: Defender `DeviceFileCertificateInfo` events from a
 * few fields each, the rest of the columns left empty (null, or "" for strings).
 */
import { DEFENDER_SCHEMAS, Table, tablesFrom, type TableProvider } from '../../src/kql';

/** The fields a test sets on a certificate event. */
export type CertificateEvent = {
  readonly Timestamp?: string | null;
  readonly DeviceId?: string;
  readonly DeviceName?: string;
  readonly Signer?: string | null;
  readonly ReportId?: number | null;
  readonly IsTrusted?: boolean | null;
  readonly SHA1?: string;
};

/** A `DeviceFileCertificateInfo` table of `events`. */
export function certificateTable(events: readonly CertificateEvent[]): Table {
  return Table.fromRecords('DeviceFileCertificateInfo', DEFENDER_SCHEMAS.DeviceFileCertificateInfo, events);
}

/** A provider holding just `DeviceFileCertificateInfo` with `events`. */
export function certificateTables(events: readonly CertificateEvent[]): TableProvider {
  return tablesFrom([certificateTable(events)]);
}

/** The fields a test sets on a network event. */
export type NetworkEvent = {
  readonly Timestamp?: string | null;
  readonly DeviceId?: string;
  readonly DeviceName?: string;
  readonly RemoteUrl?: string;
  readonly RemotePort?: number | null;
  readonly InitiatingProcessFileName?: string;
};

/** A `DeviceNetworkEvents` table of `events`. */
export function networkTable(events: readonly NetworkEvent[]): Table {
  return Table.fromRecords('DeviceNetworkEvents', DEFENDER_SCHEMAS.DeviceNetworkEvents, events);
}
