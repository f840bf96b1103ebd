/**
 * Turns the final rows of a query into the {@link KqlResult} every backend returns: rows as
 * objects keyed by column name, datetimes as ISO 8601 strings, timespans as `[d.]hh:mm:ss`,
 * numbers as numbers, dynamic values as JSON values, null as null.
 */
import type { KqlResult, ResultValue } from './result-types';
import { formatDatetime } from './datetime';
import type { Relation } from './relation';
import { formatTimespan } from './timespan';
import { NULL, TRUE, type Column } from './vectors';

function valueAt(column: Column, row: number, datetimeOffsetMs: number): ResultValue {
  switch (column.type) {
    case 'string':
      return column.dict[column.codes[row]!]!;
    case 'bool': {
      const v = column.values[row]!;
      return v === NULL ? null : v === TRUE;
    }
    case 'dynamic':
      return (column.values[row] ?? null) as ResultValue;
    case 'datetime': {
      const v = column.values[row]!;
      return v === v ? formatDatetime(v + datetimeOffsetMs) : null;
    }
    case 'timespan': {
      const v = column.values[row]!;
      return v === v ? formatTimespan(v) : null;
    }
    default: {
      const v = column.values[row]!;
      return v === v ? v : null;
    }
  }
}

/**
 * The selected rows of `relation` as a query result, each datetime moved by `datetimeOffsetMs`
 * (from the data's own clock back to the calendar, see `data-clock.ts`).
 */
export function toQueryResult(relation: Relation, datetimeOffsetMs = 0): KqlResult {
  const columns = relation.schema.map((c) => ({ name: c.name, type: c.type }));
  const rows: Array<Record<string, ResultValue>> = [];
  for (const row of relation.selection) {
    const record: Record<string, ResultValue> = {};
    relation.schema.forEach((c, i) => {
      record[c.name] = valueAt(relation.columns[i]!, row, datetimeOffsetMs);
    });
    rows.push(record);
  }
  return { columns, rows };
}
