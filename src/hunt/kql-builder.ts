/**
 * The one place KQL text is made. Every literal that reaches a query goes through
 * {@link kqlString}; tool strings come from the catalog, never from a user's words.
 */
import type { Dialect } from '../backends/backend';
import type { RmmTool } from './catalog';
import { windowToKql, type HuntWindow } from './window';

/** What a hunt asks for. */
export interface HuntSpec {
  readonly tool: RmmTool;
  readonly window: HuntWindow;
  /** Restrict to one device: its name as Defender shows it, bare or fully qualified. */
  readonly device?: string;
}

/** Options of {@link buildHuntQuery}. */
export interface BuildOptions {
  /** The time column of the backend's tables. */
  readonly dialect: Dialect;
}

/** Thrown when a value cannot be written as a KQL string literal. */
export class KqlLiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KqlLiteralError';
  }
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const UNWRITABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A single-quoted KQL string literal holding exactly `value`: backslash, quote, newline, return and
 * tab escaped as Kusto documents them. Other control characters and lone surrogates cannot be
 * written safely and are refused.
 */
export function kqlString(value: string): string {
  if (UNWRITABLE.test(value)) throw new KqlLiteralError('text contains control characters');
  return `'${value.replace(/[\\'\n\r\t]/g, (c) => ESCAPES[c]!)}'`;
}

/** The time column of a dialect. */
export function timeColumn(dialect: Dialect): string {
  return dialect === 'loganalytics' ? 'TimeGenerated' : 'Timestamp';
}

function hasClause(column: string, values: readonly string[]): string {
  if (values.length === 0) throw new Error(`no values for ${column}`);
  return values.length === 1
    ? `${column} has ${kqlString(values[0]!)}`
    : `${column} has_any (${values.map(kqlString).join(', ')})`;
}

/**
 * The file-signature hunt of a tool: the public rule's shape (time window, `Signer has` /
 * `has_any`, summarised by device), optionally for one device, in the backend's dialect.
 */
export function buildHuntQuery(spec: HuntSpec, options: BuildOptions): string {
  const signers = spec.tool.fileSignature?.signers;
  if (!signers?.length) throw new Error(`${spec.tool.id} has no file-signature hunt`);
  const time = timeColumn(options.dialect);
  const lines = [
    `let Time_start = now(-${windowToKql(spec.window)});`,
    'let Time_end = now();',
    'DeviceFileCertificateInfo',
    `| where ${time} between (Time_start..Time_end)`,
    `| where ${hasClause('Signer', signers)}`,
  ];
  if (spec.device !== undefined) {
    lines.push(`| where DeviceName =~ ${kqlString(spec.device)} or DeviceName startswith ${kqlString(`${spec.device}.`)}`);
  }
  lines.push(
    `| summarize FirstSeen=min(${time}), LastSeen=max(${time}), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName`,
  );
  return lines.join('\n');
}
