/**
 * `check <device>`: which RMM tools were seen on one device, by every kind of evidence the catalog
 * has (file signatures, process creation, network connections), in one query.
 *
 * The device's events of each table within the window are read once (`materialize`); each tool's
 * hunt of each kind then tags its own rows with the tool and the kind of evidence, and the tagged
 * rows are summarised together. Every (tool, evidence, device) row is what that tool's own hunt of
 * that kind, limited to the device, would report.
 */
import type { RmmTool } from './catalog';
import {
  deviceFilter,
  DEVICE_KEYS,
  filterClauses,
  HUNT_TABLES,
  huntFilter,
  kqlString,
  SignedFileSets,
  summarizeBy,
  timeColumn,
  timeRangeFilter,
  timeRangeLets,
  type BuildOptions,
  type HuntKind,
} from './kql-builder';
import { packQueries, unionResults, type QueryBatch } from './query-batch';
import type { HuntWindow } from './window';

/** What `check <device>` asks for. */
export interface DeviceCheckSpec {
  /** The catalog's tools: each of their hunts is checked. */
  readonly tools: readonly RmmTool[];
  /** The device: its name as Defender shows it, bare or fully qualified. */
  readonly device: string;
  readonly window: HuntWindow;
}

/** The kinds of evidence, in the order the query lists them. */
export const EVIDENCE_KINDS: readonly HuntKind[] = Object.freeze(['file-signature', 'process', 'network']);

/** The `let` holding the device's events of each kind's table. */
const DEVICE_EVENTS: Readonly<Record<HuntKind, string>> = {
  'file-signature': 'rmmCertificates',
  process: 'rmmProcesses',
  network: 'rmmConnections',
};

/** Whether a tool has a hunt of this kind. */
export function hasHunt(tool: RmmTool, kind: HuntKind): boolean {
  switch (kind) {
    case 'file-signature':
      return Boolean(tool.fileSignature?.signers.length);
    case 'process':
      return Boolean(tool.process?.filter.length);
    case 'network':
      return Boolean(tool.network?.filter.length);
  }
}

/**
 * The device check. Rows: `Tool` (the catalog id), `Evidence` (`file-signature`, `process` or
 * `network`), `DeviceId, DeviceName, FirstSeen, LastSeen, Report, ReportCount, Count`, one per tool, kind of
 * evidence and device (a name can match more than one device id, e.g. a reinstalled machine).
 */
export function buildDeviceCheckQuery(spec: DeviceCheckSpec, options: BuildOptions): string {
  const device = deviceFilter(spec.device);
  const time = timeColumn(options.dialect);
  const fileSets = new SignedFileSets();
  const legs = spec.tools.flatMap((tool) =>
    EVIDENCE_KINDS.filter((kind) => hasHunt(tool, kind)).map(
      (kind) =>
        `    (${DEVICE_EVENTS[kind]} | where ${filterClauses(huntFilter(tool, kind), fileSets).join(' and ')} | project ${time}, DeviceId, DeviceName, ReportId, Tool = ${kqlString(tool.id)}, Evidence = ${kqlString(kind)})`,
    ),
  );
  if (legs.length === 0) throw new Error('no tool has a hunt');
  const deviceEvents = EVIDENCE_KINDS.flatMap((kind) => [
    `let ${DEVICE_EVENTS[kind]} = materialize(${HUNT_TABLES[kind]}`,
    `    ${timeRangeFilter(options.dialect)}`,
    `    ${device});`,
  ]);
  return [
    ...timeRangeLets(spec.window),
    ...fileSets.lets(options.dialect),
    ...deviceEvents,
    'union',
    legs.join(',\n'),
    summarizeBy(options.dialect, ['Tool', 'Evidence', ...DEVICE_KEYS]),
  ].join('\n');
}

/**
 * The device check as a batch: the tools with a hunt, in catalog order, split into as few queries as
 * keep each within `MAX_QUERY_CHARS` (a tool's hunts of every kind in the same query), each query
 * {@link buildDeviceCheckQuery} of its tools. The queries' rows are disjoint; the result is their union.
 */
export function buildDeviceCheckQueries(spec: DeviceCheckSpec, options: BuildOptions): QueryBatch {
  const tools = spec.tools.filter((tool) => EVIDENCE_KINDS.some((kind) => hasHunt(tool, kind)));
  if (tools.length === 0) throw new Error('no tool has a hunt');
  const queries = packQueries(tools, (group) => buildDeviceCheckQuery({ ...spec, tools: group }, options), (tool) => tool.id);
  return { queries, merge: (results) => unionResults(results) };
}
