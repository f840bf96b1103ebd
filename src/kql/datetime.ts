/**
 * Kusto datetimes, held as milliseconds since the Unix epoch (UTC), fractional below a
 * millisecond (Kusto keeps 100 ns ticks; a double keeps them to within a fraction of a
 * microsecond for present-day dates).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 datetime (`2024-05-01`, `2024-05-01T10:00`, `2024-05-01T10:00:00.1234567Z`,
 * `...+02:00`). Text without a zone is UTC, as in Kusto. `undefined` when `text` is not one.
 */
export function parseIsoDatetime(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const base = Date.UTC(year, month, day, Number(h), Number(mi), Number(s));
  const check = new Date(base);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month ||
    check.getUTCDate() !== day ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return undefined;
  }
  const ticks = fraction ? Math.round(Number(`0.${fraction}`) * 10_000_000) : 0;
  let offsetMs = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return base + ticks / 10_000 - offsetMs;
}

/**
 * The text of a `datetime(...)` literal: the ISO 8601 forms {@link parseIsoDatetime} reads
 * (`2024-05-01`, `2024-05-01 10:00`, `2024-05-01T10:00:00.5Z`), optionally quoted. Kusto also reads
 * RFC 822/850 dates; the engine does not (`undefined`, which the parser reports).
 */
export function parseDatetimeLiteral(text: string): number | undefined {
  const unquoted = /^(['"])(.*)\1$/.exec(text.trim());
  return parseIsoDatetime(unquoted ? unquoted[2]! : text);
}

const DIGIT_0 = 48;

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Ticks (100 ns) per unit of the last digit of a fraction of 1..7 digits. */
const TICK_SCALE = [0, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1];

/**
 * {@link parseIsoDatetime} with a fast path for the form data files nearly always hold,
 * `YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z` (what `toISOString` and Defender write): the same result, read
 * without a regular expression. Anything else goes the general way.
 */
export function parseDatetimeValue(text: string): number | undefined {
  const n = text.length;
  if (n >= 20 && n <= 28 && text.charCodeAt(n - 1) === 90 /* Z */ && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 84 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    let ticks = 0;
    let ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
    if (ok && n > 20) {
      const count = n - 21;
      const value = text.charCodeAt(19) === 46 && count >= 1 ? digits(text, 20, count) : -1;
      if (value < 0) ok = false;
      else ticks = value * TICK_SCALE[count]!;
    }
    if (ok && day <= DAYS_IN_MONTH[month - 1]! + (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0)) {
      return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + ticks / 10_000;
    }
  }
  return parseIsoDatetime(text);
}

/** A datetime as `Date.prototype.toISOString` writes it (millisecond precision, UTC). */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * {@link parseDatetimeValue}'s fast form read straight from UTF-8 bytes `[start, end)` (a data
 * file's buffer), with the same result; `undefined` when the bytes are not in that form (the
 * caller then decodes the text and goes the general way).
 */
export function parseDatetimeBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  const n = end - start;
  if (n < 20 || n > 28 || bytes[end - 1] !== 90 || bytes[start + 4] !== 45 || bytes[start + 7] !== 45 || bytes[start + 10] !== 84 || bytes[start + 13] !== 58 || bytes[start + 16] !== 58) {
    return undefined;
  }
  const year = byteDigits(bytes, start, 4);
  const month = byteDigits(bytes, start + 5, 2);
  const day = byteDigits(bytes, start + 8, 2);
  const hour = byteDigits(bytes, start + 11, 2);
  const minute = byteDigits(bytes, start + 14, 2);
  const second = byteDigits(bytes, start + 17, 2);
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59)) return undefined;
  let ticks = 0;
  if (n > 20) {
    const count = n - 21;
    const value = bytes[start + 19] === 46 && count >= 1 ? byteDigits(bytes, start + 20, count) : -1;
    if (value < 0) return undefined;
    ticks = value * TICK_SCALE[count]!;
  }
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 1 : 0)) return undefined;
  return (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + ticks / 10_000;
}

function byteDigits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = bytes[i]! - DIGIT_0;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
