/**
 * Hunts as views: the progress card, a page of devices grouped by tool, nothing found, failed,
 * interrupted by a restart. A stored device check and a stored Details run are pages too: their
 * cards are the check card and the evidence card (so that Exclude and Escalate, which answer with
 * the page the finding is on, keep each card what it was).
 */
import type { Catalog } from '../../hunt/catalog';
import type { FinishedHunt, HuntPage, InterruptedHunt, StartedHunt } from '../hunt-service';
import { windowToKql } from '../../hunt/window';
import { huntCommandText } from '../parse-hunt';
import type { ProgressState } from '../route';
import { toolRefName } from '../tool-ref';
import type { Note, View } from '../views';
import { checkPageView } from './check-views';
import { evidencePageView } from './evidence-views';
import { namesakeNote } from './exclusion-views';
import { deviceRow, groupRows, sanctionMarkViews } from './finding-rows';
import { plural, utcText } from './format';
import { huntHeader, resultTime, runFailedView } from './run-views';

/** The acknowledgement of a hunt: running, or waiting for the backend. */
export function huntProgressView(started: StartedHunt, state: ProgressState): View {
  return { name: 'huntProgress', header: huntHeader(started.hunt, started.subject), state };
}

/** The card a finished hunt shows. */
export function finishedHuntView(finished: FinishedHunt, catalog: Catalog): View {
  if (finished.kind === 'failed') return runFailedView(huntHeader(finished.hunt, finished.subject), finished.failure, finished.portal);
  return huntPageView(finished.page, catalog);
}

/** ", 2 of them by name patterns": how many of the hidden devices typed patterns hid, when known. */
function byPatterns(hidden: number, byPattern: number | undefined): string {
  if (byPattern === undefined) return '';
  if (byPattern === 0) return ', none by a name pattern';
  if (hidden === 1) return ', by a name pattern';
  if (byPattern === hidden) return ', all by name patterns';
  return `, ${byPattern} of them by ${byPattern === 1 ? 'a name pattern' : 'name patterns'}`;
}

/** A page of a finished hunt's devices (or a check's, or a Details run's card); `note` first (the outcome of a click). */
export function huntPageView(page: HuntPage, catalog: Catalog, note?: Note): View {
  if (page.hunt.request.kind === 'device-check') return checkPageView(page, catalog, note);
  if (page.hunt.request.kind === 'evidence') return evidencePageView(page, note);
  return resultPageView(page, catalog, note);
}

/** A hunt's page of devices (a watch's post's too: its title instead of the count, no query time). */
function resultPageView(page: HuntPage, catalog: Catalog, note?: Note): View {
  const { hunt, meta, rows } = page;
  const header = huntHeader(hunt, meta.subject);
  const hidden = hunt.hiddenCount;
  const notes: Note[] = [
    ...(note ? [note] : []),
    ...meta.notes,
    ...(hidden > 0
      ? [{ text: `${plural(hidden, 'device is', 'devices are')} hidden by exclusions${byPatterns(hidden, meta.hiddenByPattern)} (type exclusions to see them).`, tone: 'default' as const }]
      : []),
    ...page.namesakes.map(({ finding, exclusion }) => namesakeNote(finding.deviceName, finding, exclusion)),
  ];
  const portal = meta.portal ? { portal: meta.portal } : {};
  const asOf = resultTime(hunt);
  if (rows.total === 0) return { name: 'huntEmpty', header, asOf: utcText(asOf), queryMs: meta.queryMs ?? 0, notes, ...portal };
  const shown = rows.items.map(({ finding, decision }) => ({
    toolName: toolRefName(finding.toolId, catalog),
    row: deviceRow({ huntId: hunt.id, finding, ...(decision ? { decision } : {}), marks: sanctionMarkViews(meta.marks?.[finding.rowKey]) }, asOf),
  }));
  return {
    name: 'huntResult',
    huntId: hunt.id,
    header,
    asOf: utcText(asOf),
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

/** The card of a hunt (or a check, or Details) a restart interrupted: says so, and how to run it again. */
export function interruptedHuntView(interrupted: InterruptedHunt): View {
  const { hunt, subject } = interrupted;
  const { request } = hunt;
  const again =
    request.kind === 'device-check'
      ? `This check was interrupted: HuntOps restarted before it finished. Run it again: check ${request.device ?? ''} ${windowToKql({ ms: request.windowMs })}`
      : request.kind === 'evidence'
        ? 'Details were interrupted: HuntOps restarted before they were gathered. Press Details on the finding again.'
        : `This hunt was interrupted: HuntOps restarted before it finished. Run it again: ${huntCommandText(request, subject)}`;
  return { name: 'huntFailed', header: huntHeader(hunt, request.kind === 'device-check' ? `RMM tools on ${request.device ?? ''}` : subject), failure: 'interrupted', message: again };
}
