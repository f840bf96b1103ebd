/**
 * The incident life cycle as views: the open incidents page by page (each with Close), the inline
 * Close form, and an incident's root card as it stands (open with Close, or closed).
 */
import { CLOSE_REASONS } from '../../sentinel/close-reasons';
import type { Incident } from '../../store/store';
import { closeReasonInfo, type OpenIncident } from '../incidents';
import type { Page } from '../paging';
import type { CloseIncidentFormView, IncidentEntry, IncidentsView, Note, View } from '../views';
import { notice } from '../views';
import { closedText, rootCardView } from './escalation-views';
import { isoSeconds } from './format';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long something has lasted, in its largest unit: "3 days", "1 hour", "less than a minute". */
export function ageText(ms: number): string {
  const [size, unit] = ms >= DAY ? [DAY, 'day'] : ms >= HOUR ? [HOUR, 'hour'] : ms >= MINUTE ? [MINUTE, 'minute'] : [0, ''];
  if (size === 0) return 'less than a minute';
  const n = Math.floor(ms / size);
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A page of the open incidents; `note` first (the outcome of a close). */
export function incidentsView(page: Page<OpenIncident>, options: { readonly now: Date; readonly sentinelUrl: (incident: Incident) => string | undefined; readonly note?: Note }): IncidentsView {
  const incidents = page.items.map(({ incident, escalations }): IncidentEntry => {
    const url = options.sentinelUrl(incident);
    return {
      number: incident.number,
      title: incident.title,
      findings: escalations.length,
      openedBy: incident.createdBy.name,
      openedAt: isoSeconds(incident.createdAt),
      age: ageText(Math.max(0, options.now.getTime() - incident.createdAt.getTime())),
      ...(url ? { sentinelUrl: url } : {}),
    };
  });
  return { name: 'incidents', incidents, page: page.page, pageCount: page.pageCount, total: page.total, notes: options.note ? [options.note] : [] };
}

/** The inline Close form, opened from the incidents card (`page`) or the root card. */
export function closeIncidentFormView(
  incident: Incident,
  from: CloseIncidentFormView['from'],
  options: { readonly sentinel: boolean; readonly error?: string },
): CloseIncidentFormView {
  return {
    name: 'closeIncidentForm',
    incident: { number: incident.number, title: incident.title },
    reasons: CLOSE_REASONS.map((r) => ({ value: r.reason, title: r.title, description: r.description })),
    from,
    sentinel: options.sentinel,
    ...(options.error ? { error: options.error } : {}),
  };
}

/** "Closed by Ada Analyst at …: Expected IT activity. IT confirmed it." for a closed incident. */
export function incidentClosedText(incident: Incident): string {
  return closedText({
    by: incident.closedBy?.name ?? 'someone',
    at: incident.closedAt ?? incident.createdAt,
    reason: closeReasonInfo(incident.closeReason)?.title ?? 'no reason recorded',
    note: incident.closeNote ?? '',
  });
}

/**
 * The incident's root card as it stands, from its opening escalation's stored payload: with Close
 * while open, saying who closed it why once closed. When the store no longer has that payload
 * (retention), a short card says the same.
 */
export function incidentRootView(incident: Incident, rootPayload: unknown): View {
  const closed = incident.status === 'closed';
  const card = rootCardView(rootPayload, closed ? { kind: 'closed', text: incidentClosedText(incident) } : { kind: 'open' });
  if (card) return card;
  return notice(`Incident ${incident.number}: ${incident.title}`, closed ? incidentClosedText(incident) : `Open since ${isoSeconds(incident.createdAt)}, opened by ${incident.createdBy.name}.`, {
    tone: closed ? 'good' : 'default',
  });
}
