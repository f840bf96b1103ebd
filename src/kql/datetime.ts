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

/** A datetime as `Date.prototype.toISOString` writes it (millisecond precision, UTC). */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString();
}
