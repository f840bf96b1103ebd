/**
 * How cards write times, counts and names. Times are written here rather than by the card's
 * `{{DATE()}}` functions, which Adaptive Cards define for TextBlocks only (every text on a card is a
 * TextRun: see `src/cards/literal-text.ts`): absolute times in UTC, the times of a result relative
 * to when the result was made ("2 h ago", said against the card's "as of" time).
 */

/** ISO 8601 UTC without the fraction, as views carry times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** "1 device", "1,204 devices". */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A no-break space: keeps a number with its unit ("5 h") on one line. */
const NBSP = '\u00a0';

/** "2026-11-29 17:42 UTC". */
export function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-11-29". */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long before `asOf` `date` was, in the largest whole unit: "just now", "12 min", "5 h", "3 d". */
export function ageText(date: Date, asOf: Date): string {
  const ms = asOf.getTime() - date.getTime();
  if (ms < MINUTE) return 'just now';
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}${NBSP}min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}${NBSP}h`;
  return `${Math.floor(ms / DAY)}${NBSP}d`;
}

/** "2 h ago", "just now". */
export function agoText(date: Date, asOf: Date): string {
  const age = ageText(date, asOf);
  return age === 'just now' ? age : `${age} ago`;
}

/** When something was seen, relative to `asOf`: "seen 2 h ago", "seen 4 d to 2 h ago". */
export function seenText(first: Date, last: Date, asOf: Date): string {
  const from = ageText(first, asOf);
  const to = ageText(last, asOf);
  if (from === to) return `seen ${agoText(last, asOf)}`;
  return `seen ${from} to ${to === 'just now' ? 'just now' : `${to} ago`}`;
}

/** "1 event", "1,234 events". */
export function eventsText(count: number): string {
  return plural(count, 'event', 'events');
}

/** A device's name split for a narrow card: its host name, and the domain beneath it (if any). */
export function splitDeviceName(deviceName: string): { readonly name: string; readonly domain?: string } {
  const dot = deviceName.indexOf('.');
  if (dot <= 0 || dot === deviceName.length - 1) return { name: deviceName };
  return { name: deviceName.slice(0, dot), domain: deviceName.slice(dot + 1) };
}

/** `text`, cut to `max` characters (whole code points) with `…` when longer: for what a card shows of long telemetry. */
export function shortText(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** Characters after which a long token may be continued on the next line. */
const SEPARATORS = new Set(['\\', '/', '.', '-', '_', '?', '&', '=', ':', ',', ';']);

/**
 * `text` as lines no token of which is longer than `width` characters: a path, a URL or a command
 * line token too long for a phone's line is continued on the next line after its last separator
 * that fits (`\`, `/`, `.`, …), or at `width` when it has none. Shorter tokens, and the spaces
 * between tokens, are left to the client's own wrapping. The card shows every character in order;
 * nothing is added to the text but the line breaks.
 */
export function continuationLines(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const piece of text.split(/(\s+)/)) {
    if (Array.from(piece).length <= width) {
      current += piece;
      continue;
    }
    let rest = Array.from(piece);
    while (rest.length > width) {
      let cut = width;
      for (let i = width - 1; i > width / 2; i -= 1) {
        if (SEPARATORS.has(rest[i - 1]!)) {
          cut = i;
          break;
        }
      }
      lines.push(current + rest.slice(0, cut).join(''));
      current = '';
      rest = rest.slice(cut);
    }
    current += rest.join('');
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}
