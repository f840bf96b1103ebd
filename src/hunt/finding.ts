/**
 * Findings from a summarized hunt result (`FirstSeen, LastSeen, Report, ReportCount, Count by
 * DeviceId, DeviceName`), checked for the shape the hunt's query promises. A finding keeps at most
 * {@link REPORT_SAMPLE} report ids, whatever a backend or a rule returned, and how many there were.
 */
import type { QueryResult, ResultValue } from '../backends/backend';
import type { StoredFinding } from '../store/store';
import { REPORT_SAMPLE } from './kql-builder';

/** The result of a hunt was not shaped as the hunt's query promises. */
export class ResultShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultShapeError';
  }
}

type Row = Readonly<Record<string, ResultValue>>;

function text(row: Row, column: string, index: number): string {
  const value = row[column];
  if (typeof value !== 'string') throw new ResultShapeError(`row ${index}: ${column} is not a string`);
  return value;
}

function time(row: Row, column: string, index: number): Date {
  const ms = Date.parse(text(row, column, index));
  if (Number.isNaN(ms)) throw new ResultShapeError(`row ${index}: ${column} is not a datetime`);
  return new Date(ms);
}

/** Findings without their row keys (given once the final order is known). */
export type UnkeyedFinding = Omit<StoredFinding, 'rowKey'>;

/** The devices of a hunt result, and how many the query found in all when it was capped. */
export interface ResultFindings {
  readonly findings: UnkeyedFinding[];
  /** The `Total` column of a capped hunt: every device found, including those not returned. */
  readonly total?: number;
}

/**
 * The devices of a hunt result. Each row's tool is `toolId`, or (for the all-tools hunt) its `Tool`
 * column, which must name a known tool.
 */
export function findingsFromResult(result: QueryResult, tool: { readonly toolId: string } | { readonly isTool: (id: string) => boolean }): ResultFindings {
  let total: number | undefined;
  const findings = result.rows.map((row, index) => {
    const count = row.Count;
    if (typeof count !== 'number' || !Number.isFinite(count)) throw new ResultShapeError(`row ${index}: Count is not a number`);
    if (typeof row.Total === 'number') total = Math.max(total ?? 0, row.Total);
    const reports = Array.isArray(row.Report) ? [...new Set(row.Report.filter((r) => typeof r === 'string' || typeof r === 'number').map(String))] : [];
    const counted = typeof row.ReportCount === 'number' && Number.isSafeInteger(row.ReportCount) && row.ReportCount >= 0 ? row.ReportCount : undefined;
    let toolId: string;
    if ('toolId' in tool) toolId = tool.toolId;
    else {
      toolId = text(row, 'Tool', index);
      if (!tool.isTool(toolId)) throw new ResultShapeError(`row ${index}: Tool '${toolId}' is not a catalog tool`);
    }
    return {
      deviceId: text(row, 'DeviceId', index),
      deviceName: text(row, 'DeviceName', index),
      firstSeen: time(row, 'FirstSeen', index),
      lastSeen: time(row, 'LastSeen', index),
      count,
      reportIds: reports.slice(0, REPORT_SAMPLE),
      reportCount: Math.max(counted ?? 0, reports.length),
      toolId,
    };
  });
  return total === undefined ? { findings } : { findings, total };
}

/** How names are ordered: `String.prototype.localeCompare`'s order, with the collator made once. */
const collator = new Intl.Collator();

/**
 * Most recently seen first (then by name), each tool's devices together when `byTool` orders tools.
 * Each finding's tool name is looked up once, not at every comparison: a hunt's result is sorted on
 * the bot's thread, and may hold thousands of devices.
 */
export function sortFindings<T extends UnkeyedFinding>(findings: readonly T[], byTool?: (toolId: string) => string): T[] {
  const toolNames = new Map<string, string>();
  const keyed = findings.map((finding) => {
    let tool = '';
    if (byTool) {
      tool = toolNames.get(finding.toolId) ?? byTool(finding.toolId);
      toolNames.set(finding.toolId, tool);
    }
    return { finding, tool, lastSeen: finding.lastSeen.getTime() };
  });
  keyed.sort(
    (a, b) =>
      (a.tool === b.tool ? 0 : collator.compare(a.tool, b.tool)) || b.lastSeen - a.lastSeen || collator.compare(a.finding.deviceName, b.finding.deviceName),
  );
  return keyed.map(({ finding }) => finding);
}

/** The same findings with row keys `0`, `1`, … in their order. */
export function rekey(findings: readonly UnkeyedFinding[]): StoredFinding[] {
  return findings.map((finding, index) => ({ ...finding, rowKey: String(index) }));
}
