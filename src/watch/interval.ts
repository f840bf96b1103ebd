/**
 * Watch intervals: how often a watch runs, from 15 minutes to 7 days. The lower bound is
 * configurable (`HUNT_WATCH_MIN_INTERVAL`) so that tests and demos can run a watch every few
 * seconds; intervals are written like hunt windows plus seconds: `30s`, `15m`, `1h`, `1d`, `1w`,
 * or ISO 8601 (`PT30S`, `PT15M`, `P1D`).
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** The shortest interval by default: Log Analytics and Defender data arrive minutes late anyway. */
export const DEFAULT_WATCH_MIN_INTERVAL_MS = 15 * MINUTE_MS;

/** The longest interval. */
export const WATCH_MAX_INTERVAL_MS = 7 * DAY_MS;

const SHORT = /^(\d{1,6})([smhdw])$/i;
const ISO = /^P(?:(\d{1,6})W|(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,6})S)?)?)$/i;
const UNIT_MS: Record<string, number> = { s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS };

/** Parses an interval (`30s`, `15m`, `PT1H`…) into milliseconds; `undefined` when it is not one or is zero. */
export function parseInterval(text: string): number | undefined {
  const short = SHORT.exec(text.trim());
  if (short) {
    const ms = Number(short[1]) * UNIT_MS[short[2]!.toLowerCase()]!;
    return ms > 0 ? ms : undefined;
  }
  const iso = ISO.exec(text.trim());
  if (!iso || text.trim().length < 2 || /T$/i.test(text.trim())) return undefined;
  const [, w, d, h, m, s] = iso;
  const ms = Number(w ?? 0) * WEEK_MS + Number(d ?? 0) * DAY_MS + Number(h ?? 0) * HOUR_MS + Number(m ?? 0) * MINUTE_MS + Number(s ?? 0) * SECOND_MS;
  return ms > 0 ? ms : undefined;
}

/** An interval for people: "15 minutes", "1 day 6 hours", "30 seconds". */
export function describeInterval(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [size, name] of [
    [DAY_MS, 'day'],
    [HOUR_MS, 'hour'],
    [MINUTE_MS, 'minute'],
    [SECOND_MS, 'second'],
  ] as const) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.join(' ') || `${ms} ms`;
}

/** Why `ms` is not an acceptable watch interval (fit for the analyst), or `undefined` when it is. */
export function watchIntervalProblem(ms: number, minIntervalMs = DEFAULT_WATCH_MIN_INTERVAL_MS): string | undefined {
  if (!Number.isSafeInteger(ms) || ms <= 0) return 'A watch interval is a duration such as 15m, 1h or 1d.';
  if (ms < minIntervalMs) return `A watch runs at most every ${describeInterval(minIntervalMs)}.`;
  if (ms > WATCH_MAX_INTERVAL_MS) return `A watch runs at least every ${describeInterval(WATCH_MAX_INTERVAL_MS)}.`;
  return undefined;
}
