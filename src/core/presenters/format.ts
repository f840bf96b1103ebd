/**
 * How cards write times and counts.
 */

/** ISO 8601 UTC without the fraction, as cards show times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** "1 device", "1,204 devices". */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
