/**
 * Details as views: the progress card, and the evidence card of a stored Details run — the
 * device's context, the instances the device talks to, the tool's binaries, process starts and
 * connections (`evidence-display.ts`), what was decided about the finding, and its Exclude and
 * Escalate — or the failure card.
 */
import { describeWindow } from '../../hunt/window';
import type { FinishedEvidence, StartedEvidence } from '../evidence-service';
import type { HuntPage } from '../hunt-service';
import { readEvidenceMeta } from '../payloads/evidence-meta';
import type { ProgressState } from '../route';
import type { EvidenceView, Note, View } from '../views';
import { evidenceDisplay } from './evidence-display';
import { rowState } from './finding-rows';
import { splitDeviceName, utcText } from './format';
import { huntHeader, resultTime, runFailedView } from './run-views';

/** "Kaseya on ws-fin-014": whose evidence, on the device's host name. */
function titleOf(subject: string, deviceName: string): string {
  return `${subject} on ${splitDeviceName(deviceName).name}`;
}

/** The acknowledgement of Details: running, or waiting for the backend. */
export function evidenceProgressView(started: StartedEvidence, state: ProgressState): View {
  const { record, subject } = started;
  return { name: 'evidenceProgress', title: titleOf(subject, record.request.device ?? ''), windowText: describeWindow({ ms: record.request.windowMs }), source: record.source, state };
}

/** The card Details answers with. */
export function finishedEvidenceView(finished: FinishedEvidence): View {
  if (finished.kind === 'done') return evidencePageView(finished.page);
  const { record, subject } = finished.started;
  return runFailedView(huntHeader(record, titleOf(subject, record.request.device ?? '')), finished.failure);
}

/** The evidence card of a stored Details run; `note` first (the outcome of a click). */
export function evidencePageView(page: HuntPage, note?: Note): EvidenceView {
  const { hunt, meta } = page;
  const stored = readEvidenceMeta(hunt.meta);
  const asOf = resultTime(hunt);
  const row = page.rows.items[0];
  const decision = row?.decision;
  const { domain } = splitDeviceName(row?.finding.deviceName ?? hunt.request.device ?? '');
  const subtitle = [...(domain ? [domain] : []), `last ${describeWindow({ ms: hunt.request.windowMs })}`, hunt.source, ...(meta.queryMs !== undefined ? [`${meta.queryMs} ms`] : [])].join(' · ');
  const display = stored ? evidenceDisplay(stored.facts, asOf) : { sections: [] };
  return {
    name: 'evidence',
    huntId: hunt.id,
    row: row?.finding.rowKey ?? '0',
    title: titleOf(meta.subject, row?.finding.deviceName ?? hunt.request.device ?? ''),
    subtitle: `${subtitle} · as of ${utcText(asOf)}`,
    notes: [...(note ? [note] : []), ...meta.notes],
    ...display,
    ...(decision ? { state: rowState(decision) } : {}),
    canExclude: decision?.kind !== 'excluded',
    canEscalate: decision === undefined,
    ...(meta.portal ? { portal: meta.portal } : {}),
  };
}
