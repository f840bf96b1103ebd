/**
 * A user rule's result as devices for the result card. A rule can be shown when its rows name a
 * device (`DeviceId` and `DeviceName`) and say when it was seen, either as the public rules
 * summarise (`FirstSeen`, `LastSeen`, optionally `Count` and `Report`) or as raw events (a
 * `Timestamp` or `TimeGenerated` column, optionally `ReportId`). Rows of the same device (the
 * public rules also group by account and URL) become one: earliest first seen, latest last seen,
 * counts added, report ids merged — and bounded: a device keeps a sample of its report ids and how
 * many distinct ones the rule returned (a rule's sets are the rule's, often unbounded).
 */
import type { QueryResult, ResultValue } from '../backends/backend';
import { REPORT_SAMPLE } from './kql-builder';
import type { HuntingRule } from './rules';

/** A rule's result cannot be shown as devices; the message says why and what the rule must return. */
export class RuleResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleResultError';
  }
}

/** The columns a rule's result has after {@link deviceRowsOfRuleResult}. */
export const DEVICE_RESULT_COLUMNS = Object.freeze([
  { name: 'DeviceId', type: 'string' },
  { name: 'DeviceName', type: 'string' },
  { name: 'FirstSeen', type: 'datetime' },
  { name: 'LastSeen', type: 'datetime' },
  { name: 'Report', type: 'dynamic' },
  { name: 'ReportCount', type: 'long' },
  { name: 'Count', type: 'long' },
] as const);

const EXPECTED =
  'a rule shown as devices returns DeviceId and DeviceName, and either FirstSeen and LastSeen (with Count and Report, as the RMM rules summarise) or a Timestamp or TimeGenerated column (one row per event)';

type Row = Readonly<Record<string, ResultValue>>;

interface DeviceRow {
  deviceId: string;
  deviceName: string;
  first: { ms: number; text: string };
  last: { ms: number; text: string };
  count: number;
  reports: Set<string | number>;
}

function fail(rule: Pick<HuntingRule, 'name'>, detail: string): never {
  throw new RuleResultError(`The rule '${rule.name}' cannot be shown as devices: ${detail}; ${EXPECTED}.`);
}

/**
 * One row per device (`DeviceId, DeviceName, FirstSeen, LastSeen, Report, ReportCount, Count`) from a rule's
 * result, in the order devices first appear. Throws {@link RuleResultError} when the result does
 * not have the columns a device needs, or a row's values are not of their kind.
 */
export function deviceRowsOfRuleResult(rule: Pick<HuntingRule, 'name'>, result: QueryResult): QueryResult {
  const names = new Set(result.columns.map((c) => c.name));
  const missing = ['DeviceId', 'DeviceName'].filter((c) => !names.has(c));
  const summarised = names.has('FirstSeen') && names.has('LastSeen');
  const time = ['Timestamp', 'TimeGenerated'].find((c) => names.has(c));
  if (missing.length > 0 || (!summarised && !time)) {
    const lacking = [...missing, ...(!summarised && !time ? ['FirstSeen and LastSeen (or Timestamp)'] : [])];
    fail(rule, `its result has no ${lacking.join(', no ')} (its columns: ${[...names].join(', ') || 'none'})`);
  }

  const text = (row: Row, column: string, index: number): string => {
    const value = row[column];
    if (typeof value !== 'string' || value === '') fail(rule, `row ${index + 1} has no ${column}`);
    return value;
  };
  const instant = (row: Row, column: string, index: number): { ms: number; text: string } => {
    const value = text(row, column, index);
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) fail(rule, `row ${index + 1}: ${column} '${value}' is not a date and time`);
    return { ms, text: value };
  };
  const count = (row: Row, index: number): number => {
    if (!summarised || !names.has('Count')) return 1;
    const value = row.Count;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(rule, `row ${index + 1}: Count is not a number`);
    return value;
  };
  const reports = (row: Row): Array<string | number> => {
    const value = summarised ? row.Report : row.ReportId;
    const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    return values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  };

  const devices = new Map<string, DeviceRow>();
  result.rows.forEach((row, index) => {
    const deviceId = text(row, 'DeviceId', index);
    const deviceName = text(row, 'DeviceName', index);
    const first = instant(row, summarised ? 'FirstSeen' : time!, index);
    const last = summarised ? instant(row, 'LastSeen', index) : first;
    const key = JSON.stringify([deviceId, deviceName]);
    const device = devices.get(key);
    if (!device) {
      devices.set(key, { deviceId, deviceName, first, last, count: count(row, index), reports: new Set(reports(row)) });
      return;
    }
    if (first.ms < device.first.ms) device.first = first;
    if (last.ms > device.last.ms) device.last = last;
    device.count += count(row, index);
    for (const report of reports(row)) device.reports.add(report);
  });

  return {
    columns: DEVICE_RESULT_COLUMNS,
    rows: [...devices.values()].map((d) => ({
      DeviceId: d.deviceId,
      DeviceName: d.deviceName,
      FirstSeen: d.first.text,
      LastSeen: d.last.text,
      Report: [...d.reports].slice(0, REPORT_SAMPLE),
      ReportCount: d.reports.size,
      Count: d.count,
    })),
    ...(result.partial ? { partial: result.partial } : {}),
  };
}
