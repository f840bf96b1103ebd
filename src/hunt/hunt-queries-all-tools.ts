/**
 * `hunt all`: the file-signature hunt of every catalog tool, devices grouped by tool — in one
 * query, or in as few as keep each query within `MAX_QUERY_CHARS` ({@link buildAllToolsQueries}).
 *
 * A certificate can match the signers of more than one tool (`Datto Inc, a Kaseya company` is both
 * Datto's and Kaseya's), so a row is not given one tool by a `case()`: the query reads the
 * certificates of all signers once (`materialize`), then each tool's hunt tags its own rows with
 * the tool's id, and the tagged rows of all tools are summarised together by (tool, device). A
 * certificate counts for every tool whose signers it matches, exactly as each tool's own hunt
 * would count it.
 */
import type { RmmTool } from './catalog';
import {
  capped,
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
} from './kql-builder';
import { packQueries, unionResults, type QueryBatch } from './query-batch';
import type { HuntWindow } from './window';

/** What `hunt all` asks for. */
export interface AllToolsSpec {
  /** The catalog's tools; those without a file-signature hunt are left out. */
  readonly tools: readonly RmmTool[];
  readonly window: HuntWindow;
  /** Restrict to one device: its name as Defender shows it, bare or fully qualified. */
  readonly device?: string;
}

/** The `let` holding the certificates any tool's hunt can match. */
const SIGNED = 'rmmSigned';

/**
 * The all-tools file-signature hunt. Rows: `Tool` (the catalog id), `DeviceId, DeviceName,
 * FirstSeen, LastSeen, Report, ReportCount, Count`, one per tool and device; a tool whose hunt finds nothing
 * has no row.
 */
export function buildAllToolsQuery(spec: AllToolsSpec, options: BuildOptions): string {
  const tools = spec.tools.filter((tool) => tool.fileSignature?.signers.length);
  if (tools.length === 0) throw new Error('no tool has a file-signature hunt');
  const fileSets = new SignedFileSets();
  const allSigners = [...new Set(tools.flatMap((tool) => tool.fileSignature!.signers))];
  const prefilter = filterClauses([[{ column: 'Signer', op: 'has', values: allSigners }]], fileSets).join(' and ');
  const time = timeColumn(options.dialect);
  const legs = tools.map(
    (tool) =>
      `    (${SIGNED} | where ${filterClauses(huntFilter(tool, 'file-signature'), fileSets).join(' and ')} | project ${time}, DeviceId, DeviceName, ReportId, Tool = ${kqlString(tool.id)})`,
  );
  const prelude = [
    ...timeRangeLets(spec.window),
    `let ${SIGNED} = materialize(${HUNT_TABLES['file-signature']}`,
    `    ${timeRangeFilter(options.dialect)}`,
    `    | where ${prefilter}`,
    ...(spec.device !== undefined ? [`    ${deviceFilter(spec.device)}`] : []),
    '    );',
  ];
  return capped(prelude, ['union', legs.join(',\n'), summarizeBy(options.dialect, ['Tool', ...DEVICE_KEYS])], options.maxDevices);
}

/**
 * The all-tools hunt as a batch: the tools with a file-signature hunt, in catalog order, split into
 * as few queries as keep each within `MAX_QUERY_CHARS`, each query {@link buildAllToolsQuery} of its
 * tools. A tool is in one query only, so the rows of the queries are disjoint; capped, the merged
 * result keeps the most recently seen rows of all and `Total` counts every query's.
 */
export function buildAllToolsQueries(spec: AllToolsSpec, options: BuildOptions): QueryBatch {
  const tools = spec.tools.filter((tool) => tool.fileSignature?.signers.length);
  if (tools.length === 0) throw new Error('no tool has a file-signature hunt');
  const queries = packQueries(tools, (group) => buildAllToolsQuery({ ...spec, tools: group }, options), (tool) => tool.id);
  return {
    queries,
    merge: (results) => unionResults(results, options.maxDevices !== undefined ? { maxDevices: options.maxDevices } : {}),
  };
}
