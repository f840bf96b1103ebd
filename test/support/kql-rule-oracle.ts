/**
 * An oracle for the public-rules test, independent of the engine: it reads generated event files
 * row by row and evaluates a catalog hunt's filter (`HuntClause`s) directly, with `has` as a
 * regular expression on term boundaries (terms: runs of ASCII letters and digits, as Kusto
 * documents) rather than the engine's term matcher. It answers which devices (host names) a hunt
 * should find over a window.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HuntClause, HuntPredicate } from '../../src/hunt/catalog';

/** One event as read from a JSONL file. */
export type EventRow = Readonly<Record<string, unknown>>;

/** The rows of `<dir>/<table>.jsonl`. */
export function readRows(dir: string, table: string): EventRow[] {
  return readFileSync(path.join(dir, `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as EventRow);
}

const escapeRegex = (text: string): string => text.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
const TERM = /[0-9A-Za-z]/;

/** `text has needle`, as a regular expression: the needle, case-insensitive, with no term character just outside it. */
export function hasByRegex(text: string, needle: string): boolean {
  const left = TERM.test(needle[0]!) ? '(?<![0-9A-Za-z])' : '';
  const right = TERM.test(needle[needle.length - 1]!) ? '(?![0-9A-Za-z])' : '';
  return new RegExp(`${left}${escapeRegex(needle)}${right}`, 'iu').test(text);
}

/** The host of a Defender device name (`ws-fin-014.corp.contoso.com` → `ws-fin-014`). */
export function hostOf(deviceName: string): string {
  return deviceName.split('.')[0]!.toLowerCase();
}

/** The rows of `rows` whose `Timestamp` lies in `[start, end]`. */
export function inWindow(rows: readonly EventRow[], start: number, end: number): EventRow[] {
  return rows.filter((r) => {
    const t = typeof r['Timestamp'] === 'string' ? Date.parse(r['Timestamp']) : NaN;
    return t >= start && t <= end;
  });
}

function holds(predicate: HuntPredicate, row: EventRow, signedSha1: (signers: readonly string[]) => ReadonlySet<string>): boolean {
  const value = String(row[predicate.column] ?? '');
  switch (predicate.op) {
    case 'has':
      return predicate.values.some((v) => hasByRegex(value, v));
    case 'startswith':
      return predicate.values.some((v) => value.toLowerCase().startsWith(v.toLowerCase()));
    case '=~':
      return predicate.values.some((v) => value.toLowerCase() === v.toLowerCase());
    case 'isempty':
      return value === '';
    case 'signedBy':
      return signedSha1(predicate.values).has(value);
  }
}

/** Hosts of the rows of `rows` for which every clause of `filter` holds. */
export function hostsMatching(rows: readonly EventRow[], filter: readonly HuntClause[], certificates: readonly EventRow[]): Set<string> {
  const signedSha1 = (signers: readonly string[]): Set<string> =>
    new Set(certificates.filter((c) => signers.some((s) => hasByRegex(String(c['Signer']), s))).map((c) => String(c['SHA1'])));
  return new Set(rows.filter((row) => filter.every((clause) => clause.some((p) => holds(p, row, signedSha1)))).map((r) => hostOf(String(r['DeviceName']))));
}
