/**
 * Hunt time windows: `30m`, `12h`, `5d`, `2w` and ISO 8601 durations (`P5D`, `PT12H`, `P1DT12H`).
 * A window is a whole number of minutes; it is rendered for KQL (`5d`), for the Log Analytics API
 * (`P5D`) and for people ("5 days").
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** A validated hunt window. */
export interface HuntWindow {
  /** Length in milliseconds, a whole number of minutes, at least one minute. */
  readonly ms: number;
}

/** The window a hunt uses when the analyst names none (the seed rule's 5 days). */
export const DEFAULT_WINDOW: HuntWindow = Object.freeze({ ms: 5 * DAY_MS });

const SHORT = /^(\d{1,6})([mhdw])$/i;
const ISO = /^P(?:(\d{1,6})W|(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?)?)$/i;
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS };

/** True when `text` looks like an attempt at a window (so the parser can report it as one). */
export function looksLikeWindow(text: string): boolean {
  return /^\d+[a-z]*$/i.test(text) || /^P[\dTWDHMS]*$/i.test(text);
}

/**
 * Parses a window; returns `undefined` when `text` is not one.
 * A zero-length window is not a window.
 */
export function parseWindow(text: string): HuntWindow | undefined {
  const short = SHORT.exec(text);
  if (short) {
    const ms = Number(short[1]) * UNIT_MS[short[2]!.toLowerCase()]!;
    return ms > 0 ? { ms } : undefined;
  }
  const iso = ISO.exec(text);
  if (iso && text.length > 1 && !/T$/i.test(text)) {
    const [, w, d, h, m] = iso;
    const ms =
      Number(w ?? 0) * WEEK_MS + Number(d ?? 0) * DAY_MS + Number(h ?? 0) * HOUR_MS + Number(m ?? 0) * MINUTE_MS;
    return ms > 0 ? { ms } : undefined;
  }
  return undefined;
}

/** Builds a window from a number of milliseconds (rounded down to whole minutes). */
export function windowOf(ms: number): HuntWindow {
  return { ms: Math.max(MINUTE_MS, Math.floor(ms / MINUTE_MS) * MINUTE_MS) };
}

/** The window as a KQL timespan literal in the largest exact unit: `5d`, `36h`, `90m`. */
export function windowToKql(window: HuntWindow): string {
  if (window.ms % DAY_MS === 0) return `${window.ms / DAY_MS}d`;
  if (window.ms % HOUR_MS === 0) return `${window.ms / HOUR_MS}h`;
  return `${window.ms / MINUTE_MS}m`;
}

/** The window as an ISO 8601 duration, as the Log Analytics API's `timespan` takes it. */
export function windowToIso(window: HuntWindow): string {
  const days = Math.floor(window.ms / DAY_MS);
  const hours = Math.floor((window.ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((window.ms % HOUR_MS) / MINUTE_MS);
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** The window for people: "5 days", "12 hours", "1 day 6 hours", "30 minutes". */
export function describeWindow(window: HuntWindow): string {
  const parts: string[] = [];
  const units: Array<[number, string]> = [
    [DAY_MS, 'day'],
    [HOUR_MS, 'hour'],
    [MINUTE_MS, 'minute'],
  ];
  let rest = window.ms;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.join(' ');
}
