/**
 * The two hunts the engine bench runs, in KQL for the local engine and in SQL for DuckDB:
 *
 * - **Kaseya**: the file-signature hunt exactly as the bot builds it (`buildHuntQuery`).
 * - **All tools**: every file-signature tool of the catalog in one query, as `hunt all` will run
 *   it: `Signer has_any (every signer)`, each row attributed to the first tool whose signers it
 *   has (`case(...)`), summarised by tool and device.
 *
 * `has` in SQL. Kusto's `has` is a whole-term, case-insensitive match, terms being maximal runs of
 * ASCII letters and digits (see `src/kql/term-match.ts`). In DuckDB it is the RE2 expression
 * `(?i)(^|[^0-9A-Za-z])<needle>($|[^0-9A-Za-z])`, the boundary groups only on a needle edge that is
 * itself a term character (a needle ending in `.` or `,` already ends on a boundary), the needle's
 * regex metacharacters escaped. That is the same test: a match starts and ends on term boundaries.
 * Case: the engine upper-cases one character at a time, RE2's `(?i)` folds Unicode simple case;
 * they agree on every catalog signer (ASCII, and `Ü`/`ä`, whose upper case is one character). The
 * bench checks that both sides return the same devices, tools, counts and reports.
 */
import type { RmmTool } from '../src/hunt/catalog';
import { buildHuntQuery, kqlString } from '../src/hunt/kql-builder';
import { parseWindow } from '../src/hunt/window';

/** The table the bench hunts. */
export const TABLE = 'DeviceFileCertificateInfo';

/** The window every bench hunt covers. */
export const BENCH_WINDOW = parseWindow('5d')!;

/** The Kaseya file-signature hunt as the bot sends it. */
export function kaseyaKql(kaseya: RmmTool): string {
  return buildHuntQuery({ tool: kaseya, window: BENCH_WINDOW }, { dialect: 'defender' });
}

function hasAny(values: readonly string[]): string {
  return values.length === 1 ? `has ${kqlString(values[0]!)}` : `has_any (${values.map(kqlString).join(', ')})`;
}

/** Every catalog tool with a file-signature hunt, in one query, each device attributed to a tool. */
export function allToolsKql(tools: readonly RmmTool[]): string {
  const signing = tools.filter((t) => t.fileSignature);
  const signers = [...new Set(signing.flatMap((t) => t.fileSignature!.signers))];
  const branches = signing.map((t) => `Signer ${hasAny(t.fileSignature!.signers)}, ${kqlString(t.id)}`);
  return [
    'let Time_start = now(-5d);',
    'let Time_end = now();',
    'DeviceFileCertificateInfo',
    '| where Timestamp between (Time_start..Time_end)',
    `| where Signer ${hasAny(signers)}`,
    `| extend Tool = case(${branches.join(',\n    ')},\n    '')`,
    '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by Tool, DeviceId, DeviceName',
  ].join('\n');
}

const TERM = /[0-9A-Za-z]/;

/** The RE2 pattern of `Column has needle` (see the file comment). */
export function hasPattern(needle: string): string {
  const escaped = needle.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
  const left = TERM.test(needle[0] ?? '') ? '(^|[^0-9A-Za-z])' : '';
  const right = TERM.test(needle[needle.length - 1] ?? '') ? '($|[^0-9A-Za-z])' : '';
  return `(?i)${left}(${escaped})${right}`;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function hasAnySql(values: readonly string[]): string {
  return `regexp_matches(Signer, ${sqlString(values.map((v) => `(?:${hasPattern(v)})`).join('|'))})`;
}

const WINDOW_SQL = 'Timestamp BETWEEN $start AND $end';
const SUMMARY_SQL =
  'min(Timestamp) AS FirstSeen, max(Timestamp) AS LastSeen, array_agg(DISTINCT ReportId ORDER BY ReportId) FILTER (WHERE ReportId IS NOT NULL) AS Report, count(*) AS Count';

/** The Kaseya hunt in DuckDB SQL (`$start`, `$end`: the window). */
export function kaseyaSql(kaseya: RmmTool): string {
  return `SELECT DeviceId, DeviceName, ${SUMMARY_SQL} FROM cert WHERE ${WINDOW_SQL} AND ${hasAnySql(kaseya.fileSignature!.signers)} GROUP BY DeviceId, DeviceName`;
}

/** The all-tools hunt in DuckDB SQL. */
export function allToolsSql(tools: readonly RmmTool[]): string {
  const signing = tools.filter((t) => t.fileSignature);
  const signers = [...new Set(signing.flatMap((t) => t.fileSignature!.signers))];
  const branches = signing.map((t) => `WHEN ${hasAnySql(t.fileSignature!.signers)} THEN ${sqlString(t.id)}`).join(' ');
  return (
    `SELECT Tool, DeviceId, DeviceName, ${SUMMARY_SQL} FROM (` +
    `SELECT *, CASE ${branches} ELSE '' END AS Tool FROM cert WHERE ${WINDOW_SQL} AND ${hasAnySql(signers)}` +
    ') GROUP BY Tool, DeviceId, DeviceName'
  );
}
