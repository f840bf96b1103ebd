/**
 * The one place KQL text is made. Every literal that reaches a query goes through
 * {@link kqlString} or {@link kqlTimespan}, every column name through {@link kqlColumn}; tool
 * strings come from the catalog, never from a user's words. The single-tool hunts are built here;
 * `hunt-queries-all-tools.ts` and `hunt-queries-device-check.ts` assemble theirs from the
 * fragments exported below.
 */
import type { Dialect } from '../backends/backend';
import type { HuntKind } from '../store/store';
import type { HuntClause, HuntPredicate, RmmTool } from './catalog';
import { windowToKql, type HuntWindow } from './window';

export type { HuntKind } from '../store/store';

/** What a hunt asks for. */
export interface HuntSpec {
  readonly tool: RmmTool;
  readonly window: HuntWindow;
  /** Restrict to one device: its name as Defender shows it, bare or fully qualified. */
  readonly device?: string;
  /** Which of the tool's hunts (default `file-signature`, the seed hunt). */
  readonly kind?: HuntKind;
}

/** Options of the query builders. */
export interface BuildOptions {
  /** The time column of the backend's tables. */
  readonly dialect: Dialect;
  /**
   * Keep only this many rows, the most recently seen, and count them all in a `Total` column (the
   * card says "showing N of M"). Without it the query is the public rule's shape exactly.
   */
  readonly maxDevices?: number;
}

/** The most rows a capped hunt may ask for. */
export const MAX_DEVICES_LIMIT = 100_000;

/**
 * The query of `prelude` (`let` statements) and `tabular` (the hunt's pipeline), capped as
 * {@link BuildOptions.maxDevices} says: the pipeline is bound as `Found`, its `maxDevices` most
 * recently seen rows kept, and `Total` counts them all.
 */
export function capped(prelude: readonly string[], tabular: readonly string[], maxDevices: number | undefined): string {
  if (maxDevices === undefined) return [...prelude, ...tabular].join('\n');
  if (!Number.isSafeInteger(maxDevices) || maxDevices < 1 || maxDevices > MAX_DEVICES_LIMIT) {
    throw new KqlLiteralError(`the device cap must be a whole number from 1 to ${MAX_DEVICES_LIMIT}`);
  }
  const [first, ...rest] = tabular;
  return [
    ...prelude,
    `let Found = ${first}`,
    ...rest.slice(0, -1),
    `${rest[rest.length - 1] ?? ''};`,
    'Found',
    `| top ${maxDevices} by LastSeen desc`,
    '| extend Total = toscalar(Found | count)',
  ].join('\n');
}

/** Thrown when a value cannot be written as a KQL literal or name. */
export class KqlLiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KqlLiteralError';
  }
}

/** The table each kind of hunt reads. */
export const HUNT_TABLES: Readonly<Record<HuntKind, string>> = Object.freeze({
  'file-signature': 'DeviceFileCertificateInfo',
  process: 'DeviceProcessEvents',
  network: 'DeviceNetworkEvents',
});

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const UNWRITABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MINUTE_MS = 60_000;

/**
 * A single-quoted KQL string literal holding exactly `value`: backslash, quote, newline, return and
 * tab escaped as Kusto documents them. Other control characters and lone surrogates cannot be
 * written safely and are refused.
 */
export function kqlString(value: string): string {
  if (UNWRITABLE.test(value)) throw new KqlLiteralError('text contains control characters');
  return `'${value.replace(/[\\'\n\r\t]/g, (c) => ESCAPES[c]!)}'`;
}

/**
 * The window as a KQL timespan literal (`5d`, `36h`, `90m`). Refuses anything that is not a
 * whole, positive number of minutes, so that nothing but digits and a unit reaches the query.
 */
export function kqlTimespan(window: HuntWindow): string {
  const { ms } = window;
  if (!Number.isSafeInteger(ms) || ms < MINUTE_MS || ms % MINUTE_MS !== 0) {
    throw new KqlLiteralError('a hunt window is a whole, positive number of minutes');
  }
  return windowToKql(window);
}

/** A column name as a bare KQL identifier; refuses names that would need quoting. */
export function kqlColumn(name: string): string {
  if (!IDENTIFIER.test(name)) throw new KqlLiteralError(`'${name}' is not a plain column name`);
  return name;
}

/** The time column of a dialect. */
export function timeColumn(dialect: Dialect): string {
  return dialect === 'loganalytics' ? 'TimeGenerated' : 'Timestamp';
}

/** The public rules' time range, `Time_start` to `Time_end`, for a window ending now. */
export function timeRangeLets(window: HuntWindow): string[] {
  return [`let Time_start = now(-${kqlTimespan(window)});`, 'let Time_end = now();'];
}

/** `| where <time> between (Time_start..Time_end)`: rows inside {@link timeRangeLets}' range. */
export function timeRangeFilter(dialect: Dialect): string {
  return `| where ${timeColumn(dialect)} between (Time_start..Time_end)`;
}

/** `| where` one device, by its bare name or any fully qualified name of it, any case. */
export function deviceFilter(device: string): string {
  if (device.trim() === '') throw new KqlLiteralError('the device name is empty');
  return `| where DeviceName =~ ${kqlString(device)} or DeviceName startswith ${kqlString(`${device}.`)}`;
}

/**
 * Report ids a hunt keeps per row. Telemetry is written by the adversary: a busy (or noisy) device
 * must not make a row, a stored finding or an escalation card unbounded.
 */
export const REPORT_SAMPLE = 20;

/**
 * The summary of the public rules, one row per `keys` (device keys last), with the report set
 * bounded: `Report=make_set(ReportId, 20)` holds a sample, `ReportCount=dcount(ReportId)` counts
 * them all (Kusto's `dcount` is an estimate, within about 1% at its default accuracy).
 */
export function summarizeBy(dialect: Dialect, keys: readonly string[]): string {
  const time = timeColumn(dialect);
  return `| summarize FirstSeen=min(${time}), LastSeen=max(${time}), Report=make_set(ReportId, ${REPORT_SAMPLE}), ReportCount=dcount(ReportId), Count=count() by ${keys.map(kqlColumn).join(', ')}`;
}

/** The device keys every hunt result is grouped by. */
export const DEVICE_KEYS: readonly string[] = Object.freeze(['DeviceId', 'DeviceName']);

/**
 * The condition of a tool's hunt of one kind, as catalog clauses: the file-signature hunt is the
 * one clause `Signer has_any (signers)`.
 */
export function huntFilter(tool: RmmTool, kind: HuntKind): readonly HuntClause[] {
  const filter =
    kind === 'file-signature'
      ? tool.fileSignature?.signers.length
        ? [[{ column: 'Signer', op: 'has', values: tool.fileSignature.signers } as const]]
        : undefined
      : kind === 'process'
        ? tool.process?.filter
        : tool.network?.filter;
  if (!filter?.length) throw new Error(`${tool.id} has no ${kind} hunt`);
  return filter;
}

/**
 * The sets of files signed by given signers within the hunt's range (`signedBy` predicates): one
 * `let` per distinct signer list, named as the public DWService rules name theirs, numbered from
 * the second on.
 */
export class SignedFileSets {
  private readonly names = new Map<string, { name: string; signers: readonly string[] }>();

  /** The `let` name of the files signed by any of `signers`. */
  nameOf(signers: readonly string[]): string {
    const key = JSON.stringify(signers);
    let set = this.names.get(key);
    if (!set) {
      set = { name: `rmmInitialFileSet${this.names.size === 0 ? '' : this.names.size + 1}`, signers };
      this.names.set(key, set);
    }
    return set.name;
  }

  /** The `let` statements of the sets named so far. */
  lets(dialect: Dialect): string[] {
    return [...this.names.values()].flatMap(({ name, signers }) => [
      `let ${name} = ${HUNT_TABLES['file-signature']}`,
      `    ${timeRangeFilter(dialect)}`,
      `    | where ${hasCondition('Signer', signers)}`,
      '    | distinct SHA1;',
    ]);
  }
}

function hasCondition(column: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error(`no values for ${column}`);
  return values.length === 1
    ? `${kqlColumn(column)} has ${kqlString(values[0]!)}`
    : `${kqlColumn(column)} has_any (${values.map(kqlString).join(', ')})`;
}

function predicateTerms(predicate: HuntPredicate, fileSets: SignedFileSets): string[] {
  const column = kqlColumn(predicate.column);
  if (predicate.op === 'isempty') return [`isempty(${column})`];
  if (predicate.values.length === 0) throw new Error(`no values for ${column} ${predicate.op}`);
  switch (predicate.op) {
    case 'has':
      return [hasCondition(column, predicate.values)];
    case 'startswith':
      return predicate.values.map((v) => `${column} startswith ${kqlString(v)}`);
    case '=~':
      return [predicate.values.length === 1 ? `${column} =~ ${kqlString(predicate.values[0]!)}` : `${column} in~ (${predicate.values.map(kqlString).join(', ')})`];
    case 'signedBy':
      return [`${column} in (${fileSets.nameOf(predicate.values)})`];
  }
}

/**
 * A catalog filter as KQL conditions, one per clause: a clause's predicates joined by `or`,
 * parenthesised when the filter has more than one clause (the clauses are to be joined by `and`).
 */
export function filterClauses(filter: readonly HuntClause[], fileSets: SignedFileSets): string[] {
  if (filter.length === 0) throw new Error('an empty filter');
  return filter.map((clause) => {
    const terms = clause.flatMap((p) => predicateTerms(p, fileSets));
    if (terms.length === 0) throw new Error('an empty clause');
    return terms.length > 1 && filter.length > 1 ? `(${terms.join(' or ')})` : terms.join(' or ');
  });
}

/**
 * A tool's hunt: the public rule's shape (time window, the tool's condition, summarised by
 * device, its report set bounded), optionally for one device, in the backend's dialect. Rows:
 * `DeviceId, DeviceName, FirstSeen, LastSeen, Report, ReportCount, Count`, one per device.
 *
 * The public process and network rules also group by account (and network rules by `RemoteUrl`),
 * giving several rows per device; hunts here give one row per device, as the result card lists
 * devices. Their `signedBy` file sets, like the DWService rules', are not limited to the device.
 */
export function buildHuntQuery(spec: HuntSpec, options: BuildOptions): string {
  const kind = spec.kind ?? 'file-signature';
  const filter = huntFilter(spec.tool, kind);
  const fileSets = new SignedFileSets();
  const condition = filterClauses(filter, fileSets).join('\n    and ');
  const prelude = [...timeRangeLets(spec.window), ...fileSets.lets(options.dialect)];
  const lines = [HUNT_TABLES[kind], timeRangeFilter(options.dialect), `| where ${condition}`];
  if (spec.device !== undefined) lines.push(deviceFilter(spec.device));
  lines.push(summarizeBy(options.dialect, DEVICE_KEYS));
  return capped(prelude, lines, options.maxDevices);
}
