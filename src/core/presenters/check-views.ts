/**
 * Device checks as views: the progress card, and the card of a stored check — the device's context
 * first, then one row per tool seen (the hunt result's row component, titled by the tool, with what
 * the tenant's sanctions make of it among its marks) — or the failure card.
 */
import type { Catalog } from '../../hunt/catalog';
import { describeWindow } from '../../hunt/window';
import type { Hunt } from '../../store/store';
import type { FinishedCheck, StartedCheck } from '../device-check';
import { huntKindLabel } from '../hunt-kinds';
import type { HuntPage } from '../hunt-service';
import { readCheckMeta } from '../payloads/check-meta';
import type { ProgressState } from '../route';
import { toolRefName } from '../tool-ref';
import type { DeviceCheckView, FindingRow, HuntHeader, Mark, Note, View } from '../views';
import { deviceContextView } from './evidence-display';
import { sanctionMarkViews, toolRow } from './finding-rows';
import { utcText } from './format';
import { resultTime, runFailedView } from './run-views';
import { namesakeNote } from './exclusion-views';

function checkHeader(hunt: Pick<Hunt, 'request' | 'source'>): HuntHeader {
  const device = hunt.request.device ?? '';
  return { subject: `RMM tools on ${device}`, windowText: describeWindow({ ms: hunt.request.windowMs }), source: hunt.source, device };
}

/** The acknowledgement of a check. */
export function checkProgressView(started: StartedCheck, state: ProgressState): View {
  return { name: 'huntProgress', header: checkHeader(started.hunt), state };
}

/** What a check found. */
export function checkView(finished: FinishedCheck, catalog: Catalog): View {
  if (finished.kind === 'failed') return runFailedView(checkHeader(finished.started.hunt), finished.failure, finished.portal);
  return checkPageView(finished.page, catalog);
}

/** The card of a stored check; `note` first (the outcome of a click). */
export function checkPageView(page: HuntPage, catalog: Catalog, note?: Note): DeviceCheckView {
  const { hunt, meta, rows } = page;
  const stored = readCheckMeta(hunt.meta);
  const asOf = resultTime(hunt);
  const deviceIds = new Set(rows.items.map((r) => r.finding.deviceId));
  const checkRows = rows.items.map(({ finding, decision }): FindingRow => {
    const kinds = stored?.evidence[finding.rowKey] ?? [];
    const marks: Mark[] = [
      ...(deviceIds.size > 1 ? [{ text: `device id ${finding.deviceId}`, tone: 'default' as const }] : []),
      ...sanctionMarkViews(meta.marks?.[finding.rowKey]),
    ];
    return toolRow({ huntId: hunt.id, finding, ...(decision ? { decision } : {}), marks }, asOf, {
      name: toolRefName(finding.toolId, catalog),
      evidence: kinds.map(huntKindLabel).join(', '),
    });
  });
  return {
    name: 'deviceCheck',
    huntId: hunt.id,
    header: checkHeader(hunt),
    asOf: utcText(asOf),
    queryMs: meta.queryMs ?? 0,
    ...(stored?.device ? { device: deviceContextView(stored.device, asOf) } : {}),
    rows: checkRows,
    toolCount: rows.total,
    page: rows.page,
    pageCount: rows.pageCount,
    notes: [
      ...(note ? [note] : []),
      ...meta.notes,
      ...page.namesakes.map(({ finding, exclusion }) => namesakeNote(`${toolRefName(finding.toolId, catalog)} on ${finding.deviceName}`, finding, exclusion)),
    ],
    ...(meta.portal ? { portal: meta.portal } : {}),
  };
}
