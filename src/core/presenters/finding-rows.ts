/**
 * Findings as card rows ({@link FindingRow}): the one row component of every card that lists
 * findings. A hunt result's row is titled by the device's host name with its domain beneath; a
 * device check's by the tool, with the kinds of evidence beneath. Whatever lists findings (a watch
 * post too) builds its rows here and draws them with `cards/parts/finding-rows.json`; what the
 * tenant's sanctions make of a row is one of its marks.
 */
import type { StoredFinding } from '../../store/store';
import type { RowDecision } from '../hunt-service';
import type { SanctionMark } from '../sanction-marks';
import type { FindingRow, Mark, ResultGroup, RowState } from '../views';
import { eventsText, isoSeconds, seenText, splitDeviceName } from './format';

/** What a row is made from. */
export interface RowSource {
  /** The stored hunt (or check, or watch run) the finding belongs to. */
  readonly huntId: string;
  readonly finding: StoredFinding;
  readonly decision?: RowDecision;
  /** Labels to show on the row (patterns, sanctions). */
  readonly marks?: readonly Mark[];
}

/** A decision as the row says it. */
export function rowState(decision: RowDecision): RowState {
  return decision.kind === 'excluded'
    ? { kind: 'excluded', text: `Excluded by ${decision.by}: ${decision.reason}` }
    : { kind: 'escalated', text: `Escalated by ${decision.by} → incident ${decision.incident}` };
}

/** "12 events · seen 4 d to 2 h ago", relative to `asOf` (when the result was made). */
export function rowSummary(finding: Pick<StoredFinding, 'count' | 'firstSeen' | 'lastSeen'>, asOf: Date): string {
  return `${eventsText(finding.count)} · ${seenText(finding.firstSeen, finding.lastSeen, asOf)}`;
}

function baseRow(source: RowSource, asOf: Date, title: string, subtitle: string | undefined): FindingRow {
  const { finding, decision } = source;
  return {
    huntId: source.huntId,
    row: finding.rowKey,
    deviceId: finding.deviceId,
    deviceName: finding.deviceName,
    firstSeen: isoSeconds(finding.firstSeen),
    lastSeen: isoSeconds(finding.lastSeen),
    count: finding.count,
    title,
    ...(subtitle ? { subtitle } : {}),
    summary: rowSummary(finding, asOf),
    marks: [...(source.marks ?? [])],
    ...(decision ? { state: rowState(decision) } : {}),
    canExclude: decision?.kind !== 'excluded',
    canEscalate: decision === undefined,
  };
}

/** A hunt result's row: the device's host name, its domain beneath. */
export function deviceRow(source: RowSource, asOf: Date): FindingRow {
  const { name, domain } = splitDeviceName(source.finding.deviceName);
  return baseRow(source, asOf, name, domain);
}

/** A device check's row: the tool, and what kinds of evidence showed it. */
export function toolRow(source: RowSource, asOf: Date, tool: { readonly name: string; readonly evidence: string }): FindingRow {
  return baseRow(source, asOf, tool.name, tool.evidence || undefined);
}

/** Unsanctioned instances a mark names at most; the rest are counted. */
const MARK_INSTANCES = 3;

/** The marks a row of a sanctioned tool gets: "Sanctioned", or the other instances its agent talks to. */
export function sanctionMarkViews(mark: SanctionMark | undefined): Mark[] {
  if (!mark) return [];
  if (mark.kind === 'sanctioned') return [{ text: 'Sanctioned', tone: 'good' }];
  const shown = mark.instances.slice(0, MARK_INSTANCES).join(', ');
  const more = mark.instances.length - MARK_INSTANCES;
  return [{ text: `Unsanctioned instance: ${shown}${more > 0 ? ` and ${more} more` : ''}`, tone: 'attention' }];
}

/** Rows grouped by tool, in order: a titled group per tool when `byTool`, else one group. */
export function groupRows(rows: ReadonlyArray<{ readonly toolName: string; readonly row: FindingRow }>, byTool: boolean): ResultGroup[] {
  if (!byTool) return [{ rows: rows.map((r) => r.row) }];
  const groups: Array<{ title: string; rows: FindingRow[] }> = [];
  for (const { toolName, row } of rows) {
    const last = groups[groups.length - 1];
    if (last && last.title === toolName) last.rows.push(row);
    else groups.push({ title: toolName, rows: [row] });
  }
  return groups;
}
