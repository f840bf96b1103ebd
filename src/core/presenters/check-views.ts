/**
 * Device checks as views: the progress card and the tools seen on the device (or the failure card).
 */
import { describeWindow } from '../../hunt/window';
import { MAX_CHECK_TOOLS, type FinishedCheck, type StartedCheck } from '../device-check';
import { huntKindLabel } from '../hunt-kinds';
import type { ProgressState } from '../route';
import type { CheckRow, HuntHeader, Note, View } from '../views';
import { isoSeconds } from './format';
import { runFailedView, sanctionMarkViews } from './hunt-views';

function checkHeader(started: StartedCheck): HuntHeader {
  const { device, window } = started.args;
  return { subject: `RMM tools on ${device}`, windowText: describeWindow(window), source: started.source, device };
}

/** The acknowledgement of a check. */
export function checkProgressView(started: StartedCheck, state: ProgressState): View {
  return { name: 'huntProgress', header: checkHeader(started), state };
}

/** What a check found. */
export function checkView(finished: FinishedCheck): View {
  const header = checkHeader(finished.started);
  if (finished.kind === 'failed') return runFailedView(header, finished.failure, finished.portal);
  const tools = finished.tools.map((seen): CheckRow => {
    const marks = sanctionMarkViews(seen.sanction);
    return {
      toolName: seen.tool.name,
      evidence: seen.evidence.map(huntKindLabel).join(', '),
      firstSeen: isoSeconds(seen.firstSeen),
      lastSeen: isoSeconds(seen.lastSeen),
      count: seen.count,
      ...(seen.exclusion ? { excluded: `Excluded by ${seen.exclusion.createdBy.name}: ${seen.exclusion.reason}` } : {}),
      ...(marks.length > 0 ? { marks } : {}),
    };
  });
  const notes: Note[] = [
    ...(finished.partial !== undefined ? [{ text: `Partial result: ${finished.partial}`, tone: 'warning' as const }] : []),
    ...(finished.seenCount > MAX_CHECK_TOOLS
      ? [{ text: `${finished.seenCount} tools were seen; these are the ${MAX_CHECK_TOOLS} seen most recently. Hunt each of the rest by name.`, tone: 'warning' as const }]
      : []),
  ];
  return { name: 'deviceCheck', header, queryMs: finished.queryMs, tools, notes, ...(finished.portal ? { portal: finished.portal } : {}) };
}
