/**
 * Hunts as views: the progress card, a page of devices grouped by tool, nothing found, failed
 * (the one failure card, shared with device checks), interrupted by a restart.
 */
import type { Catalog } from '../../hunt/catalog';
import { describeWindow } from '../../hunt/window';
import type { Hunt, StoredFinding } from '../../store/store';
import type { FinishedHunt, HuntPage, InterruptedHunt, RowDecision, StartedHunt } from '../hunt-service';
import { huntCommandText } from '../parse-hunt';
import type { ProgressState } from '../route';
import type { RunFailure } from '../run-failure';
import type { SanctionMark } from '../sanction-marks';
import { toolRefName } from '../tool-ref';
import type { FindingRow, HuntFailedView, HuntHeader, Note, PortalLinkView, ResultGroup, RowMark, RowState, View } from '../views';
import { isoSeconds, plural } from './format';

/** What every card of a hunt says about it. */
export function huntHeader(hunt: Hunt, subject: string): HuntHeader {
  return {
    subject,
    windowText: describeWindow({ ms: hunt.request.windowMs }),
    source: hunt.source,
    ...(hunt.request.device !== undefined ? { device: hunt.request.device } : {}),
  };
}

/** The acknowledgement of a hunt: running, or waiting for the backend. */
export function huntProgressView(started: StartedHunt, state: ProgressState): View {
  return { name: 'huntProgress', header: huntHeader(started.hunt, started.subject), state };
}

/** The card a failed run shows (a hunt's or a device check's). */
export function runFailedView(header: HuntHeader, failure: RunFailure, portal?: PortalLinkView): HuntFailedView {
  return { name: 'huntFailed', header, failure: failure.failure, message: failure.message, ...(portal ? { portal } : {}) };
}

/** The card a finished hunt shows. */
export function finishedHuntView(finished: FinishedHunt, catalog: Catalog): View {
  if (finished.kind === 'failed') return runFailedView(huntHeader(finished.hunt, finished.subject), finished.failure, finished.portal);
  return huntPageView(finished.page, catalog);
}

function rowState(decision: RowDecision): RowState {
  return decision.kind === 'excluded'
    ? { kind: 'excluded', text: `Excluded by ${decision.by}: ${decision.reason}` }
    : { kind: 'escalated', text: `Escalated by ${decision.by} → incident ${decision.incident}` };
}

/** Unsanctioned instances a mark names at most; the rest are counted. */
const MARK_INSTANCES = 3;

/** What a card says about a row of a sanctioned tool. */
export function sanctionMarkViews(mark: SanctionMark | undefined): RowMark[] {
  if (!mark) return [];
  if (mark.kind === 'sanctioned') return [{ text: 'Sanctioned', tone: 'good' }];
  const shown = mark.instances.slice(0, MARK_INSTANCES).join(', ');
  const more = mark.instances.length - MARK_INSTANCES;
  return [{ text: `Unsanctioned instance: ${shown}${more > 0 ? ` and ${more} more` : ''}`, tone: 'attention' }];
}

/** One device row of a result card (a hunt's page, a watch's post). */
export function findingRow(
  finding: Pick<StoredFinding, 'rowKey' | 'deviceId' | 'deviceName' | 'firstSeen' | 'lastSeen' | 'count'>,
  options: { readonly decision?: RowDecision; readonly mark?: SanctionMark } = {},
): FindingRow {
  const marks = sanctionMarkViews(options.mark);
  return {
    row: finding.rowKey,
    deviceId: finding.deviceId,
    deviceName: finding.deviceName,
    firstSeen: isoSeconds(finding.firstSeen),
    lastSeen: isoSeconds(finding.lastSeen),
    count: finding.count,
    ...(options.decision ? { state: rowState(options.decision) } : {}),
    ...(marks.length > 0 ? { marks } : {}),
  };
}

/** Rows grouped by tool, in order: titled groups when `byTool`, else one group. */
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

/** A page of a finished hunt's devices; `note` first (the outcome of a click). */
export function huntPageView(page: HuntPage, catalog: Catalog, note?: Note): View {
  const { hunt, meta, rows } = page;
  const header = huntHeader(hunt, meta.subject);
  const hidden = hunt.hiddenCount;
  const notes: Note[] = [
    ...(note ? [note] : []),
    ...meta.notes,
    ...(hidden > 0 ? [{ text: `${plural(hidden, 'device is', 'devices are')} hidden by exclusions (type exclusions to see them).`, tone: 'default' as const }] : []),
  ];
  const portal = meta.portal ? { portal: meta.portal } : {};
  if (rows.total === 0) return { name: 'huntEmpty', header, queryMs: meta.queryMs ?? 0, notes, ...portal };
  const shown = rows.items.map(({ finding, decision }) => ({
    toolName: toolRefName(finding.toolId, catalog),
    row: findingRow(finding, { ...(decision ? { decision } : {}), ...(meta.marks?.[finding.rowKey] ? { mark: meta.marks[finding.rowKey] } : {}) }),
  }));
  return {
    name: 'huntResult',
    huntId: hunt.id,
    header,
    ...(meta.title !== undefined ? { title: meta.title } : {}),
    deviceCount: rows.total,
    ...(meta.queryMs !== undefined ? { queryMs: meta.queryMs } : {}),
    groups: groupRows(shown, meta.byTool),
    page: rows.page,
    pageCount: rows.pageCount,
    notes,
    ...portal,
  };
}

/** The card of a hunt a restart interrupted: says so, and how to run it again. */
export function interruptedHuntView(interrupted: InterruptedHunt): View {
  const { hunt, subject } = interrupted;
  return {
    name: 'huntFailed',
    header: huntHeader(hunt, subject),
    failure: 'interrupted',
    message: `This hunt was interrupted: HuntOps restarted before it finished. Run it again: ${huntCommandText(hunt.request, subject)}`,
  };
}
