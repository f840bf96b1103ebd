/**
 * Details: the button on every finding (hunt results, device checks, watch posts) that posts the
 * evidence card of the finding's tool on its device as a new message beneath the card (a reply in
 * the thread, in a channel), acknowledged at once and updated in place when the evidence is in.
 * Anyone may open Details; each is audited as `details`.
 */
import { z } from 'zod';
import { FINDING } from '../action-data';
import type { FinishedEvidence } from '../evidence-service';
import { button, type ButtonEntry } from '../pipeline';
import { evidenceProgressView, finishedEvidenceView } from '../presenters/evidence-views';
import type { AuditRecord } from '../route';
import { VERBS } from '../verbs';
import type { RouteDeps } from './route-deps';

function detailsAudit(finished: FinishedEvidence): AuditRecord {
  const record = finished.kind === 'done' ? finished.page.hunt : finished.started.record;
  const details = { evidenceId: record.id, toolId: record.request.toolId, windowMs: record.request.windowMs, source: record.source };
  return finished.kind === 'done' ? { outcome: 'ok', details } : { outcome: 'failed', details: { ...details, error: finished.failure.message } };
}

/** The Details button. */
export function evidenceButtons(deps: RouteDeps): ButtonEntry[] {
  return [
    button({
      verb: VERBS.details,
      data: z.object(FINDING),
      answersWithNewMessage: { acknowledgement: 'Gathering the evidence: it is posted below this card.' },
      access: 'anyone',
      limited: true,
      start: ({ huntId, row }, context) => deps.evidence.start(huntId, row, context),
      progress: evidenceProgressView,
      present: finishedEvidenceView,
      audit: { action: 'details', request: ({ huntId, row }) => ({ huntId, row }), result: (_request, finished) => detailsAudit(finished) },
    }),
  ];
}
