/**
 * Kusto timespans, held as (possibly fractional) milliseconds: the literal units Kusto's own
 * tokenizer accepts (`Kusto.Language` `TokenParser.TimespanSuffixes`), and the
 * `[-][d.]hh:mm:ss[.fffffff]` text form Kusto uses in results and CSV exports.
 * Weeks are not a Kusto unit: `2w` is not a timespan literal.
 */

const MS_PER_TICK = 1e-4;
const MS = {
  nanosecond: 1e-6,
  microsecond: 1e-3,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
} as const;

/** Every suffix of a timespan literal and the milliseconds of one unit. Case-sensitive, as in Kusto. */
export const TIMESPAN_UNITS: ReadonlyMap<string, number> = new Map<string, number>([
  ...(['d', 'day', 'days'] as const).map((s) => [s, MS.day] as const),
  ...(['h', 'hr', 'hrs', 'hour', 'hours'] as const).map((s) => [s, MS.hour] as const),
  ...(['m', 'min', 'minute', 'minutes'] as const).map((s) => [s, MS.minute] as const),
  ...(['s', 'sec', 'second', 'seconds'] as const).map((s) => [s, MS.second] as const),
  ...(['ms', 'milli', 'millis', 'millisec', 'millisecond', 'milliseconds'] as const).map((s) => [s, MS.millisecond] as const),
  ...(['micro', 'micros', 'microsec', 'microsecond', 'microseconds'] as const).map((s) => [s, MS.microsecond] as const),
  ...(['nano', 'nanos', 'nanosec', 'nanosecond', 'nanoseconds'] as const).map((s) => [s, MS.nanosecond] as const),
  ...(['tick', 'ticks'] as const).map((s) => [s, MS_PER_TICK] as const),
]);

const TEXT = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

/** Parses `[-][d.]hh:mm:ss[.fffffff]`; `undefined` when `text` is not in that form. */
export function parseTimespanText(text: string): number | undefined {
  const m = TEXT.exec(text.trim());
  if (!m) return undefined;
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const ticks = fraction ? Number(fraction.padEnd(7, '0')) : 0;
  const ms =
    Number(days ?? 0) * MS.day + Number(hours) * MS.hour + Number(minutes) * MS.minute + Number(seconds) * MS.second + ticks * MS_PER_TICK;
  return sign ? -ms : ms;
}

const UNIT_LITERAL = /^([+-]?)(\d+(?:\.\d+)?)([a-z]+)$/;

/**
 * The text of a `timespan(...)` literal: a number with a unit (`1d`, `1.5h`, `30min`) or the
 * `[-][d.]hh:mm:ss[.fffffff]` form. `undefined` when it is neither.
 */
export function parseTimespanLiteral(text: string): number | undefined {
  const trimmed = text.trim();
  const m = UNIT_LITERAL.exec(trimmed);
  if (m) {
    const unit = TIMESPAN_UNITS.get(m[3]!);
    if (unit === undefined) return undefined;
    const ms = Number(m[2]) * unit;
    return m[1] === '-' ? -ms : ms;
  }
  return parseTimespanText(trimmed);
}

/** Formats milliseconds as Kusto writes a timespan: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(ms: number): string {
  const negative = ms < 0;
  let ticks = Math.round(Math.abs(ms) / MS_PER_TICK);
  const fraction = ticks % 10_000_000;
  ticks = (ticks - fraction) / 10_000_000;
  const seconds = ticks % 60;
  const minutes = Math.floor(ticks / 60) % 60;
  const hours = Math.floor(ticks / 3600) % 24;
  const days = Math.floor(ticks / 86_400);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${negative ? '-' : ''}${days ? `${days}.` : ''}${two(hours)}:${two(minutes)}:${two(seconds)}` +
    (fraction ? `.${String(fraction).padStart(7, '0')}` : '')
  );
}
