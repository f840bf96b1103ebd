/**
 * Findings from a summarized hunt result (`FirstSeen, LastSeen, Report, Count by DeviceId,
 * DeviceName`), checked for the shape the hunt's query promises.
 */
import type { QueryResult, ResultValue } from '../backends/backend';
import type { StoredFinding } from '../store/store';

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

/**
 * The devices of a hunt result for tool `toolId`, most recently seen first, row keys `0`, `1`, …
 * in that order.
 */
export function findingsFromResult(result: QueryResult, toolId: string): StoredFinding[] {
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
      reportIds: Array.isArray(reports) ? reports.filter((r) => typeof r === 'string' || typeof r === 'number').map(String) : [],
      toolId,
    };
  });
  parsed.sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.deviceName.localeCompare(b.deviceName));
  return rekey(parsed);
}

/** The same findings with row keys `0`, `1`, … in their order. */
export function rekey(findings: ReadonlyArray<Omit<StoredFinding, 'rowKey'>>): StoredFinding[] {
  return findings.map((finding, index) => ({ ...finding, rowKey: String(index) }));
}
