/**
 * Findings: one device a hunt saw, as the summarized query returns it
 * (`FirstSeen, LastSeen, Report, Count by DeviceId, DeviceName`).
 */
import type { QueryResult, ResultValue } from '../backends/backend';

/** One device of a hunt's result. */
export interface Finding {
  /** Stable within its hunt; with the hunt id it identifies the finding. */
  readonly key: string;
  readonly deviceId: string;
  readonly deviceName: string;
  /** ISO 8601 UTC. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  /** Defender report ids (`make_set(ReportId)`). */
  readonly reports: readonly string[];
}

/** The result of a hunt was not shaped as the hunt's query promises. */
export class ResultShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultShapeError';
  }
}

function text(row: Readonly<Record<string, ResultValue>>, column: string, index: number): string {
  const value = row[column];
  if (typeof value !== 'string') throw new ResultShapeError(`row ${index}: ${column} is not a string`);
  return value;
}

function time(row: Readonly<Record<string, ResultValue>>, column: string, index: number): string {
  const value = text(row, column, index);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ResultShapeError(`row ${index}: ${column} is not a datetime`);
  return new Date(ms).toISOString();
}

/**
 * Findings from a summarized hunt result, most recently seen first; row keys are their positions
 * in that order.
 */
export function findingsFromResult(result: QueryResult): Finding[] {
  const parsed = result.rows.map((row, index) => {
    const count = row.Count;
    if (typeof count !== 'number' || !Number.isFinite(count)) throw new ResultShapeError(`row ${index}: Count is not a number`);
    const reports = row.Report;
    return {
      deviceId: text(row, 'DeviceId', index),
      deviceName: text(row, 'DeviceName', index),
      firstSeen: time(row, 'FirstSeen', index),
      lastSeen: time(row, 'LastSeen', index),
      count,
      reports: Array.isArray(reports) ? reports.filter((r) => typeof r === 'string' || typeof r === 'number').map(String) : [],
    };
  });
  parsed.sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.deviceName.localeCompare(b.deviceName));
  return parsed.map((finding, index) => ({ key: String(index), ...finding }));
}
