/**
 * Conversions between Kusto's scalar types, as `tostring`, `tolong`, `toint`, `toreal`,
 * `todatetime` and `strcat` do them:
 *
 * - to string: a string as it is; null as `""`; a long as its digits; a real as JavaScript writes
 *   it (the shortest text that reads back the same, as .NET does; exponents are written `1e+21`
 *   where .NET writes `1E+21`); a bool as `true`/`false`; a datetime as ISO 8601 UTC with seconds,
 *   and a 7-digit fraction when it has one (`2024-06-10T12:00:00Z`, `...00.1230000Z`); a timespan
 *   as `[-][d.]hh:mm:ss[.fffffff]`; a dynamic string as the string, other dynamic values as JSON.
 * - to long/int: from text, a whole number (else null); from a real, truncated toward zero; from a
 *   bool, 1 or 0. To real: from text, a number (else null).
 * - to datetime: from text, ISO 8601 (else null).
 */
import { formatDatetime, parseIsoDatetime } from './datetime';
import { dynamicText } from './dynamic-values';
import type { Value } from './rowwise';
import { formatTimespan } from './timespan';
import type { KustoType } from './types';

/** A datetime as Kusto writes it in text. */
export function kustoDatetimeText(ms: number): string {
  const iso = formatDatetime(Math.floor(ms));
  const ticks = Math.round((ms - Math.floor(ms / 1000) * 1000) * 10_000);
  const base = iso.slice(0, 19);
  return ticks === 0 ? `${base}Z` : `${base}.${String(ticks).padStart(7, '0')}Z`;
}

/** `value` (of `type`) as Kusto's `tostring` writes it. */
export function toKustoString(value: Value, type: KustoType): string {
  if (value === null) return '';
  switch (type) {
    case 'string':
      return value as string;
    case 'bool':
      return value ? 'true' : 'false';
    case 'datetime':
      return value === value ? kustoDatetimeText(value as number) : '';
    case 'timespan':
      return value === value ? formatTimespan(value as number) : '';
    case 'dynamic':
      return typeof value === 'string' ? value : dynamicText(value);
    default:
      return value === value ? String(value) : '';
  }
}

const WHOLE = /^\s*[+-]?\d+\s*$/;
const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** `value` (of `type`) as a whole number, or NaN (null). */
export function toWholeNumber(value: Value, type: KustoType): number {
  if (value === null) return NaN;
  switch (type) {
    case 'string':
    case 'dynamic':
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      return typeof value === 'string' && WHOLE.test(value) ? Number(value) : NaN;
    case 'bool':
      return value ? 1 : 0;
    default:
      return Math.trunc(value as number);
  }
}

/** `value` (of `type`) as a real, or NaN (null). */
export function toRealNumber(value: Value, type: KustoType): number {
  if (value === null) return NaN;
  if (type === 'bool') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return typeof value === 'string' && NUMBER.test(value) ? Number(value) : NaN;
}

/** `value` (of `type`) as a datetime, or NaN (null). */
export function toDatetime(value: Value, type: KustoType): number {
  if (value === null) return NaN;
  if (type === 'datetime') return value as number;
  return typeof value === 'string' ? (parseIsoDatetime(value) ?? NaN) : NaN;
}
